package dev.jkernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The library-mode layering (issue 6): the CLI is a thin user of the embedding API, and the artifact that embedders
 * depend on needs nothing but the JDK (picocli is the CLI's, optional in the pom).
 */
class LayeringTest {
    private static final Path SRC = Path.of("src/main/java/dev/jkernel");

    private static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void theCliUsesOnlyTheApi() throws IOException {
        for (Path f : sources(SRC.resolve("cli"))) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("import ")) {
                    assertTrue(line.matches("import (static )?(dev\\.jkernel\\.api|picocli|java)\\..*"),
                            f + ": " + line);
                }
                assertFalse(line.matches(".*\\bdev\\.jkernel\\.(?!api\\b)\\w+\\..*") && !line.trim().startsWith("*")
                        && !line.trim().startsWith("//"), f + " names a package other than the API: " + line);
            }
        }
    }

    @Test
    void onlyTheCliUsesPicocliWhichIsOptional() throws IOException {
        for (Path f : sources(SRC)) {
            if (!f.startsWith(SRC.resolve("cli"))) {
                assertFalse(Files.readString(f).contains("picocli"), f + " uses picocli");
            }
        }
        String pom = Files.readString(Path.of("pom.xml"));
        int at = pom.indexOf("<artifactId>picocli</artifactId>");
        assertTrue(at > 0);
        String dependency = pom.substring(at, pom.indexOf("</dependency>", at));
        assertTrue(dependency.contains("<optional>true</optional>"), "picocli is optional: " + dependency);
    }
}
