package io.promptlog.writer.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Read access to the bytes a {@code String} or {@code StringBuilder} keeps (JEP 254 compact strings: one
 * byte per char when every char is Latin-1, else two bytes per char in the platform's byte order), so the
 * encoder copies them without going through {@code charAt}. Needs {@code --add-opens
 * java.base/java.lang=ALL-UNNAMED} (in the JVM flags the writer needs anyway); without it
 * {@link #AVAILABLE} is false and the encoder takes its char-by-char path, with the same result.
 *
 * <p>Why not Chronicle's {@code StringUtils.extractBytes}: without the flag it silently returns
 * {@code getBytes(ISO_8859_1)} (a lossy copy, allocated), which an encoder cannot tell from the real array.
 */
final class JavaStrings {
    static final boolean AVAILABLE;
    private static final VarHandle STRING_VALUE;
    private static final VarHandle STRING_CODER;
    private static final VarHandle BUILDER_VALUE;
    private static final VarHandle BUILDER_CODER;
    static final byte LATIN1 = 0;

    static {
        VarHandle sv = null;
        VarHandle sc = null;
        VarHandle bv = null;
        VarHandle bc = null;
        try {
            MethodHandles.Lookup strings = MethodHandles.privateLookupIn(String.class, MethodHandles.lookup());
            sv = strings.findVarHandle(String.class, "value", byte[].class);
            sc = strings.findVarHandle(String.class, "coder", byte.class);
            Class<?> asb = Class.forName("java.lang.AbstractStringBuilder");
            MethodHandles.Lookup builders = MethodHandles.privateLookupIn(asb, MethodHandles.lookup());
            bv = builders.findVarHandle(asb, "value", byte[].class);
            bc = builders.findVarHandle(asb, "coder", byte.class);
            // the layout is what we expect: a Latin-1 string keeps one byte a char, UTF-16 two
            String latin = "promptlog\u00e9";
            String utf16 = "promptlog\u20ac";
            if ((byte) sc.get(latin) != LATIN1 || ((byte[]) sv.get(latin)).length != latin.length()
                    || (byte) sc.get(utf16) == LATIN1 || ((byte[]) sv.get(utf16)).length != 2 * utf16.length()) {
                throw new IllegalStateException("unexpected String layout");
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            sv = null;
            sc = null;
            bv = null;
            bc = null;
        }
        STRING_VALUE = sv;
        STRING_CODER = sc;
        BUILDER_VALUE = bv;
        BUILDER_CODER = bc;
        AVAILABLE = sv != null;
    }

    private JavaStrings() {
    }

    /** Only when {@link #AVAILABLE}. */
    static byte[] value(String s) {
        return (byte[]) STRING_VALUE.get(s);
    }

    /** Only when {@link #AVAILABLE}: 0 Latin-1, 1 UTF-16. */
    static byte coder(String s) {
        return (byte) STRING_CODER.get(s);
    }

    /** Only when {@link #AVAILABLE}; the array may be longer than the builder (its capacity). */
    static byte[] value(StringBuilder s) {
        return (byte[]) BUILDER_VALUE.get(s);
    }

    static byte coder(StringBuilder s) {
        return (byte) BUILDER_CODER.get(s);
    }
}
