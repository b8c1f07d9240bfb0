package io.promptlog.reader.internal;

import io.promptlog.format.DatasetSchema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The texts a lookup had to search every text file for, with the file that held them: system prompts shared
 * by many calls, stored once long before them. The next lookup of a call with such a text takes it from here
 * while that file is unchanged (same size and modification time, as {@link LookupFiles} tells a rewritten
 * file), instead of querying every text file's bloom filter (thousands of files when most calls carry a
 * distinct templated prompt) or even one file. A file rewritten since (an erasure removing the text) or gone
 * from the listing drops the entry: an erased text is never answered from here. Bounded: the texts used most
 * recently, at most {@value #MAX_ENTRIES} of them and {@value #MAX_CHARS} chars in all.
 */
final class TextLocations {
    static final int MAX_ENTRIES = 4096;
    static final long MAX_CHARS = 4L << 20;

    /** Where a text was, what identified that file's content then, and the text. */
    record Found(Path file, long size, long modifiedMillis, String text) {
    }

    private final Map<String, Found> byHash = new LinkedHashMap<>(64, 0.75f, true);
    private long chars;

    /** The text under {@code hash} in table {@code t} if remembered and its file is unchanged, else null. */
    String text(DatasetSchema.TextTable t, String hash, java.util.Collection<Path> listed) {
        String key = t.dir() + '/' + hash;
        Found f = byHash.get(key);
        if (f == null) {
            return null;
        }
        BasicFileAttributes a = attributes(f.file());
        if (a == null || a.size() != f.size() || a.lastModifiedTime().toMillis() != f.modifiedMillis() || !listed.contains(f.file())) {
            remove(key);
            return null;
        }
        return f.text();
    }

    /** The attributes that identify {@code file}'s content now (read before the file is queried), or null. */
    static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Remembers {@code text}, read from {@code file} after {@code before} was taken. */
    void put(DatasetSchema.TextTable t, String hash, Path file, BasicFileAttributes before, String text) {
        if (before == null || text.length() > MAX_CHARS) {
            return;
        }
        String key = t.dir() + '/' + hash;
        remove(key);
        byHash.put(key, new Found(file, before.size(), before.lastModifiedTime().toMillis(), text));
        chars += text.length();
        Iterator<Map.Entry<String, Found>> eldest = byHash.entrySet().iterator();
        while ((byHash.size() > MAX_ENTRIES || chars > MAX_CHARS) && eldest.hasNext()) {
            chars -= eldest.next().getValue().text().length();
            eldest.remove();
        }
    }

    private void remove(String key) {
        Found old = byHash.remove(key);
        if (old != null) {
            chars -= old.text().length();
        }
    }

    int size() {
        return byHash.size();
    }
}
