package io.metrodb;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package arrows (issue 13): one way only, from the command line down through the daemons to the shared pieces.
 * <pre>
 * cli --&gt; logd, mapd, mond --&gt; server, log --&gt; protocol
 * </pre>
 * The classes under test are the main classes of the protocol and server modules (no test classes).
 */
class ArchitectureTest
{
    private static final String[] DAEMONS = {"io.metrodb.logd..", "io.metrodb.mapd..", "io.metrodb.mond.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses()
    {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Under `mvn verify` the protocol module's test classes come as its packaged test-jar, which
            // DO_NOT_INCLUDE_TESTS (test-classes directories) does not recognise.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.metrodb");
    }

    @Test
    void shouldHaveNoCycleBetweenTopLevelPackages()
    {
        slices().matching("io.metrodb.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void shouldHaveNoCycleBetweenAnyTwoPackages()
    {
        slices().matching("io.metrodb.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void protocolShouldDependOnNoServerOrClientPackage()
    {
        noClasses().that().resideInAPackage("io.metrodb.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage(
                "io.metrodb.server..", "io.metrodb.log..", "io.metrodb.logd..", "io.metrodb.mapd..",
                "io.metrodb.mond..", "io.metrodb.cli..", "io.metrodb.client..")
            .check(classes);
    }

    @Test
    void logEngineShouldDependOnNoDaemonNorNettyServerPieces()
    {
        noClasses().that().resideInAPackage("io.metrodb.log..")
            .should().dependOnClassesThat().resideInAnyPackage(
                "io.metrodb.logd..", "io.metrodb.mapd..", "io.metrodb.mond..", "io.metrodb.cli..",
                "io.metrodb.server..", "io.metrodb.protocol.netty..", "io.netty.channel..", "io.netty.bootstrap..",
                "picocli..")
            .check(classes);
    }

    @Test
    void sharedServerPackageShouldDependOnNoDaemon()
    {
        noClasses().that().resideInAPackage("io.metrodb.server..")
            .should().dependOnClassesThat().resideInAnyPackage(DAEMONS)
            .orShould().dependOnClassesThat().resideInAPackage("io.metrodb.cli..")
            .check(classes);
    }

    @Test
    void mapdShouldNotDependOnMond()
    {
        noClasses().that().resideInAPackage("io.metrodb.mapd..")
            .should().dependOnClassesThat().resideInAPackage("io.metrodb.mond..")
            .check(classes);
    }

    @Test
    void mondShouldNotDependOnMapd()
    {
        noClasses().that().resideInAPackage("io.metrodb.mond..")
            .should().dependOnClassesThat().resideInAPackage("io.metrodb.mapd..")
            .check(classes);
    }

    @Test
    void logdShouldNotDependOnMapdNorMond()
    {
        noClasses().that().resideInAPackage("io.metrodb.logd..")
            .should().dependOnClassesThat().resideInAnyPackage("io.metrodb.mapd..", "io.metrodb.mond..")
            .check(classes);
    }

    @Test
    void onlyTestsAndToolsShouldUseTheFaultProxy()
    {
        noClasses().that().resideInAPackage("io.metrodb..")
            .and().resideOutsideOfPackage("io.metrodb.protocol.fault..")
            .should().dependOnClassesThat().resideInAPackage("io.metrodb.protocol.fault..")
            .check(classes);
    }

    @Test
    void daemonsShouldNotDependOnTheCommandLine()
    {
        noClasses().that().resideInAnyPackage(DAEMONS)
            .should().dependOnClassesThat().resideInAPackage("io.metrodb.cli..")
            .check(classes);
    }
}
