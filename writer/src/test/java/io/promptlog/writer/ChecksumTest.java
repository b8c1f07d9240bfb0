package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;
import io.promptlog.writer.internal.RecordEncoder;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every version-2 record carries a CRC-32C that every reader verifies; version-1 records still read. */
@Timeout(120)
class ChecksumTest {
    @TempDir
    Path home;

    @Test
    void shouldReportRandomBytesWrittenIntoAQueueFileAsAChecksumMismatchAndReadTheOtherRecords() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("ChecksumTest seed " + seed);
        Random rnd = new Random(seed);
        String marker = "UNIQUE-MARKER-" + seed + " ";
        String victim = marker + "x".repeat(4000);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < 20; i++) {
                try (CallRecorder r = log.begin()) {
                    r.systemPrompt(i == 10 ? victim : "you are helpful").message("user", "q" + i).attribute("i", i);
                }
            }
        }
        Path shard = PromptLogHome.shardDir(home, 0);
        Path cq4;
        try (Stream<Path> files = Files.list(shard)) {
            cq4 = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] file = Files.readAllBytes(cq4);
        int at = indexOf(file, marker.getBytes(StandardCharsets.UTF_8));
        assertThat(at).as("marker in " + cq4).isPositive();
        byte[] garbage = new byte[256];
        rnd.nextBytes(garbage);
        try (RandomAccessFile f = new RandomAccessFile(cq4.toFile(), "rw")) {
            f.seek(at + 100);
            f.write(garbage);
        }
        int good = 0;
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                int check = RecordDecoder.check(c.buffer(), 0, c.length());
                try {
                    LlmCall call = c.decode();
                    assertThat(check).isEqualTo(RecordDecoder.VALID);
                    assertThat(call.attributes().get("i")).isNotEqualTo("10");
                    good++;
                } catch (CorruptRecordException e) {
                    assertThat(check).as("seed " + seed).isEqualTo(RecordDecoder.BAD_CHECKSUM);
                    assertThat(e.reason()).isEqualTo(RecordDecoder.BAD_CHECKSUM);
                    assertThat(e.getMessage()).contains("checksum mismatch");
                }
            }
        }
        assertThat(good).as("seed " + seed).isEqualTo(19);
    }

    @Test
    void shouldDetectEverySingleBitFlipInARecord() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            log.append(RecordRoundTripTest.everyField("bits"));
        }
        byte[] record;
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            assertThat(c.next()).isTrue();
            record = Arrays.copyOf(c.buffer(), c.length());
        }
        assertThat(RecordDecoder.check(record, 0, record.length)).isEqualTo(RecordDecoder.VALID);
        for (int bit = 0; bit < record.length * 8; bit++) {
            byte[] copy = record.clone();
            copy[bit >> 3] ^= (byte) (1 << (bit & 7));
            int check = RecordDecoder.check(copy, 0, copy.length);
            assertThat(check).as("bit %d", bit).isNotEqualTo(RecordDecoder.VALID);
        }
    }

    @Test
    void shouldStillDecodeVersion1RecordsNextToVersion2Records() throws Exception {
        LlmCall v1Call = RecordRoundTripTest.everyField("v1 ünïcode");
        byte[] v1 = version1(v1Call);
        Path shard = PromptLogHome.shardDir(home, 0);
        Files.createDirectories(shard);
        try (SingleChronicleQueue q = PromptLogHome.openShard(shard, RollPeriod.HOURLY, PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false);
             ExcerptAppender a = q.createAppender()) {
            a.writeBytes(Bytes.wrapForRead(v1));
        }
        LlmCall v2Call = RecordRoundTripTest.everyField("v2");
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            log.append(v2Call);
        }
        List<LlmCall> read = QueueContents.readAll(home);
        assertThat(read).containsExactly(v1Call, v2Call);
        try (ShardCursor c = ShardCursor.open(shard)) {
            assertThat(c.next()).isTrue();
            assertThat(c.buffer()[RecordDescriptor.VERSION_OFFSET]).isEqualTo((byte) 1);
            assertThat(c.kind()).isEqualTo(RecordDescriptor.KIND_CALL);
            assertThat(c.next()).isTrue();
            assertThat(c.buffer()[RecordDescriptor.VERSION_OFFSET]).isEqualTo((byte) RecordDescriptor.LAYOUT_VERSION);
        }
    }

    /** The call in the version-1 layout, as promptlog 0.1 wrote it: a 4-byte header, texts inline. */
    static byte[] version1(LlmCall call) {
        RecordEncoder e = new RecordEncoder(PromptLogConfig.DEFAULT_MAX_RECORD_BYTES);
        e.reset();
        for (CallField f : CallField.all()) {
            Object v = call.get(f);
            if (v == null) {
                continue;
            }
            switch (f.type()) {
                case STRING -> e.putString(f.id(), (String) v);
                case INT64, TIMESTAMP_MICROS -> e.putInt64(f.id(), (Long) v);
                case FLOAT64 -> e.putFloat64(f.id(), (Double) v);
                case BOOL -> e.putBool(f.id(), (Boolean) v);
                case STRING_LIST -> call.stopSequences().forEach(s -> e.putString(f.id(), s));
                case MESSAGES -> call.messages().forEach(m -> {
                    e.beginGroup(f.id());
                    e.putString(RecordDescriptor.MSG_ROLE, m.role());
                    e.putString(RecordDescriptor.MSG_CONTENT, m.content());
                    e.putString(RecordDescriptor.MSG_NAME, m.name());
                    e.putString(RecordDescriptor.MSG_TOOL_CALL_ID, m.toolCallId());
                    e.endGroup();
                });
                case ATTRIBUTES -> call.attributes().forEach((k, val) -> {
                    e.beginGroup(f.id());
                    e.putString(RecordDescriptor.ATTR_KEY, k);
                    e.putString(RecordDescriptor.ATTR_VALUE, val);
                    e.endGroup();
                });
            }
        }
        int len = e.finish(RecordDescriptor.KIND_CALL);
        byte[] v2 = e.buffer();
        byte[] v1 = new byte[len - RecordDescriptor.HEADER_LENGTH + RecordDescriptor.HEADER_LENGTH_V1];
        System.arraycopy(v2, 0, v1, 0, 2);
        v1[RecordDescriptor.VERSION_OFFSET] = 1;
        v1[RecordDescriptor.FLAGS_OFFSET] = (byte) (v2[RecordDescriptor.FLAGS_OFFSET] & RecordDescriptor.FLAG_TRUNCATED);
        System.arraycopy(v2, RecordDescriptor.HEADER_LENGTH, v1, RecordDescriptor.HEADER_LENGTH_V1, len - RecordDescriptor.HEADER_LENGTH);
        return v1;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
