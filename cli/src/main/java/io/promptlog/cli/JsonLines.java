package io.promptlog.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines (LF, an optional CR before it dropped) and decodes each as strict
 * UTF-8 on its own, so one bad byte costs its line (reported with the byte's position), never the rest
 * of the file.
 */
final class JsonLines implements AutoCloseable {
    /** One line: its text, or why it could not be decoded. */
    record Line(long number, String text, String error) {
    }

    private final InputStream in;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buf = new byte[8192];
    private long number;
    private long bytesRead;

    JsonLines(InputStream in) {
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        int n = 0;
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = (byte) b;
        }
        if (b < 0 && n == 0) {
            return null;
        }
        bytesRead += n + (b < 0 ? 0 : 1);
        number++;
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
        ByteBuffer bytes = ByteBuffer.wrap(buf, 0, n);
        CharBuffer chars = CharBuffer.allocate(n);
        utf8.reset();
        CoderResult r = utf8.decode(bytes, chars, true);
        if (r.isError()) {
            return new Line(number, null, "not UTF-8: byte " + (bytes.position() + 1) + " of the line (0x"
                    + String.format("%02x", buf[bytes.position()] & 0xFF) + ") starts an invalid sequence");
        }
        utf8.flush(chars);
        return new Line(number, chars.flip().toString(), null);
    }

    long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
