package dev.jkernel.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Where a guest process's fd 0, 1 or 2 goes (ProcessBuilder.Redirect's counterpart).
 *
 * <ul>
 * <li>{@link #inherit()}: the kernel's default stream (from {@link JKernel.Builder}); the default.</li>
 * <li>{@link #pipe()}: a guest pipe whose other end the application reads or writes through
 * {@link GuestProcess#getInputStream()}, {@link GuestProcess#getErrorStream()} or
 * {@link GuestProcess#getOutputStream()} (the guest sees a real pipe: EOF, EPIPE and SIGPIPE as on Linux).</li>
 * <li>{@link #of(InputStream)} / {@link #of(OutputStream)} / {@link #bytes(byte[])}: a Java stream (not a pipe: the
 * guest sees a character stream it cannot poll exactly); the kernel never closes it.</li>
 * <li>{@link #discard()}: nothing in, everything written dropped.</li>
 * <li>{@link #file(String)} / {@link #append(String)}: a file of the guest's file system, opened (created, truncated
 * or appended to for output) before the program starts, like a shell redirection.</li>
 * </ul>
 */
public sealed interface Stdio {
    record Inherit() implements Stdio {}

    record Pipe() implements Stdio {}

    record Discard() implements Stdio {}

    record InStream(InputStream in) implements Stdio {}

    record OutStream(OutputStream out) implements Stdio {}

    record GuestFile(String path, boolean append) implements Stdio {}

    static Stdio inherit() {
        return new Inherit();
    }

    static Stdio pipe() {
        return new Pipe();
    }

    static Stdio discard() {
        return new Discard();
    }

    static Stdio of(InputStream in) {
        return new InStream(Objects.requireNonNull(in, "in"));
    }

    static Stdio of(OutputStream out) {
        return new OutStream(Objects.requireNonNull(out, "out"));
    }

    static Stdio bytes(byte[] data) {
        return new InStream(new java.io.ByteArrayInputStream(data.clone()));
    }

    static Stdio file(String guestPath) {
        return new GuestFile(Objects.requireNonNull(guestPath, "guestPath"), false);
    }

    static Stdio append(String guestPath) {
        return new GuestFile(Objects.requireNonNull(guestPath, "guestPath"), true);
    }
}
