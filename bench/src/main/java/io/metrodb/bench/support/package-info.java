/** Pieces the load harnesses share: command lines, connecting, waiting for deadlines, CPU time, histogram files. */
package io.metrodb.bench.support;
