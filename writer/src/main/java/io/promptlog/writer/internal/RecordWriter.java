package io.promptlog.writer.internal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.promptlog.writer.internal.RecordDescriptor.*;

/**
 * Writes one staged record into one shard as one Chronicle document: the recorder's record buffer, then
 * each staged {@link TextSlot} either in full or as a reference to the record of this shard and cycle
 * that carries it, with the CRC-32C of the whole record in its header (layout: {@link RecordDescriptor}).
 * One instance per shard, used only by the thread holding the shard's flag; allocates nothing.
 *
 * <p>Why inside the document: the cycle a record lands in is known only once Chronicle has opened the
 * document (it rolls to a new cycle file there), and a reference must point into that same cycle. The
 * dictionary learns a definition only after the document is closed and its index known, so a reference
 * always points to a complete record (a kill -9 mid-write leaves a torn last record that nothing refers to).
 */
final class RecordWriter {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int TEXT_HEADER = FIELD_HEADER_LENGTH + LENGTH_PREFIX;
    private static final int REF_FIELD = TEXT_HEADER + TEXT_REF_LENGTH;

    private final CRC32C crc = new CRC32C();
    /** Per slot: its field header, length prefix and (for a reference) the index. */
    private final byte[] heads = new byte[2 * REF_FIELD];
    private final long[] refs = new long[2];
    private final ShardTexts[] dictionaries = {new ShardTexts(), new ShardTexts()};
    private int lastRecordBytes;
    private long referencesWritten;
    private long definitionsWritten;

    /**
     * Writes the record; returns its Chronicle index. Throws what Chronicle throws (the caller counts it);
     * the document is then rolled back.
     */
    long write(ExcerptAppender appender, byte[] buf, int length, TextSlot[] slots) {
        int slotCount = slots == null ? 0 : slots.length;
        DocumentContext dc = appender.writingDocument();
        int cycle;
        try {
            cycle = appender.cycle();
            crc.reset();
            crc.update(buf, MAGIC_OFFSET, CHECKSUM_OFFSET);
            crc.update(buf, HEADER_LENGTH, length - HEADER_LENGTH);
            for (int s = 0; s < slotCount; s++) {
                TextSlot t = slots[s];
                refs[s] = -1;
                if (!t.staged) {
                    continue;
                }
                int h = s * REF_FIELD;
                heads[h] = (byte) t.fieldId;
                refs[s] = dictionaries[s].find(t, cycle); // also for a text this thread did not have cached
                if (refs[s] >= 0) {
                    heads[h + 1] = (byte) WIRE_TEXT_REF;
                    INT_LE.set(heads, h + FIELD_HEADER_LENGTH, TEXT_REF_LENGTH);
                    LONG_LE.set(heads, h + TEXT_HEADER, refs[s]);
                    crc.update(heads, h, REF_FIELD);
                } else {
                    heads[h + 1] = (byte) WIRE_STRING;
                    INT_LE.set(heads, h + FIELD_HEADER_LENGTH, t.length);
                    crc.update(heads, h, TEXT_HEADER);
                    crc.update(t.bytes, 0, t.length);
                }
            }
            INT_LE.set(buf, CHECKSUM_OFFSET, (int) crc.getValue());
            int total = length;
            for (int s = 0; s < slotCount; s++) {
                if (slots[s].staged) {
                    total += refs[s] >= 0 ? REF_FIELD : TEXT_HEADER + slots[s].length;
                }
            }
            lastRecordBytes = total;
            Bytes<?> out = dc.wire().bytes();
            out.write(buf, 0, length);
            for (int s = 0; s < slotCount; s++) {
                TextSlot t = slots[s];
                if (!t.staged) {
                    continue;
                }
                int h = s * REF_FIELD;
                if (refs[s] >= 0) {
                    out.write(heads, h, REF_FIELD);
                } else {
                    out.write(heads, h, TEXT_HEADER);
                    out.write(t.bytes, 0, t.length);
                }
            }
        } catch (Throwable e) {
            dc.rollbackOnClose();
            try {
                dc.close();
            } catch (RuntimeException ignored) {
                // the appender is renewed by the caller
            }
            throw e;
        }
        dc.close();
        long index = appender.lastIndexAppended();
        for (int s = 0; s < slotCount; s++) {
            TextSlot t = slots[s];
            if (!t.staged) {
                continue;
            }
            if (refs[s] >= 0) {
                referencesWritten++;
            } else if (t.repeated && dictionaries[s].hasRoomFor(t)) {
                dictionaries[s].define(t, cycle, index);
                definitionsWritten++;
            }
        }
        return index;
    }

    /** Bytes of the record last written (the document body: header, fields, texts or references). */
    int lastRecordBytes() {
        return lastRecordBytes;
    }

    long referencesWritten() {
        return referencesWritten;
    }

    long definitionsWritten() {
        return definitionsWritten;
    }
}
