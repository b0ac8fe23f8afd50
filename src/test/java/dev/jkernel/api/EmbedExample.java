package dev.jkernel.api;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The embedding example of docs/EMBEDDING.md and the README, runnable as written:
 *
 * <pre>
 * make -s -C guest out/static/api/tool
 * mvn -q -o test-compile
 * java -cp target/classes:target/test-classes dev.jkernel.api.EmbedExample guest/out/static/api/tool
 * </pre>
 */
public final class EmbedExample {
    public static void main(String[] args) throws Exception {
        Path tool = Path.of(args.length > 0 ? args[0] : "guest/out/static/api/tool");

        // The guest's "/" is an empty in-memory tmpfs; the riscv64 program is copied into it before boot.
        try (JKernel k = JKernel.builder().cpus(2).copy(tool, "/bin/tool").build()) {
            // 1. A Java thread writes the input into the guest's file system.
            Syscalls sys = k.syscalls();
            sys.writeFile("/tmp/in.txt", "hello from java\n".getBytes(StandardCharsets.UTF_8));

            // 2. A riscv64 program turns it into its output file.
            GuestProcess upper = k.process("/bin/tool", "upper", "in.txt", "out.txt").cwd("/tmp").start();
            System.out.println("upper: " + upper.waitFor());

            // 3. The Java thread reads the result back.
            System.out.print(new String(k.readFile("/tmp/out.txt"), StandardCharsets.UTF_8));

            // Streams: stdin and stdout as pipes, like java.lang.Process.
            GuestProcess cat = k.process("/bin/tool", "cat").stdin(Stdio.pipe()).stdout(Stdio.pipe()).start();
            try (OutputStream in = cat.getOutputStream()) {
                in.write("through a guest pipe\n".getBytes(StandardCharsets.UTF_8));
            }
            System.out.print(new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            System.out.println("cat: " + cat.waitFor() + "; processes: " + k.processes());
        } // close(): every task killed, every kernel thread joined
    }
}
