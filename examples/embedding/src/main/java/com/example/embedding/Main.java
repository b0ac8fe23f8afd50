package com.example.embedding;

import dev.jkernel.api.ExitStatus;
import dev.jkernel.api.GuestProcess;
import dev.jkernel.api.JKernel;
import dev.jkernel.api.Stdio;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Uses jkernel from its Maven coordinates: boots a kernel, runs a riscv64 Linux program with its stdin and stdout
 * piped to this Java program, then runs one as pid 1 (the CLI's form), and checks what they did. Exit status 0 when
 * all is as expected.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        Path hostTool = Path.of(args.length > 0 ? args[0] : "guest/out/static/api/tool").toAbsolutePath();
        // The guest's "/" is an in-memory tmpfs: the program is copied into it before boot.
        String tool = "/bin/tool";
        String input = "hello from a Maven project\n";

        // A kernel with a resident init; programs start as its children, like java.lang.Process.
        try (JKernel kernel = JKernel.builder().cpus(2).copy(hostTool, tool).build()) {
            GuestProcess cat = kernel.process(tool, "cat").stdin(Stdio.pipe()).stdout(Stdio.pipe()).start();
            try (OutputStream in = cat.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ExitStatus status = cat.waitFor();
            System.out.print("cat (pid " + cat.pid() + ") wrote: " + output);
            System.out.println("cat: " + status);
            check(output.equals(input) && status.code() == 0, "cat echoes its input and exits 0");
        }

        // A program as pid 1: the kernel lives as long as it does.
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        GuestProcess init = JKernel.builder().env("GREETING", "hi").stdout(console).copy(hostTool, tool)
                .startInit(tool, "env", "GREETING");
        ExitStatus status = init.waitFor();
        init.kernel().close();
        System.out.print("pid " + init.pid() + " wrote: " + console);
        System.out.println("pid 1: " + status + ", " + init.kernel().retiredInstructions() + " instructions");
        check(init.pid() == 1 && status.code() == 0 && console.toString().startsWith("GREETING=hi "),
                "the program runs as pid 1 with the builder's environment");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("embedding example: FAILED: " + what);
            System.exit(1);
        }
    }
}
