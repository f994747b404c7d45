package io.metrodb.client;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The client SDK's arrows: it speaks the protocol and knows nothing of the server (the server module is on the test
 * class path only, for the integration tests). The server side's arrows: {@code io.metrodb.ArchitectureTest}.
 */
class ClientArchitectureTest
{
    private final JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.metrodb.client");

    @Test
    void clientShouldDependOnNoServerPackage()
    {
        noClasses().that().resideInAPackage("io.metrodb.client..")
            .should().dependOnClassesThat().resideInAnyPackage(
                "io.metrodb.server..", "io.metrodb.log..", "io.metrodb.logd..", "io.metrodb.mapd..",
                "io.metrodb.mond..", "io.metrodb.cli..")
            .check(classes);
    }
}
