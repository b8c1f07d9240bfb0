package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The recorder tracks set fields in one {@code long}: a call field id of 64 or more would alias another. */
class CallFieldIdTest {
    @Test
    void shouldKeepEveryCallFieldIdInsideTheRecordersLongBitmask() {
        for (CallField f : CallField.all()) {
            assertThat(f.id()).as(f.column()).isBetween(1, RecordDescriptor.MAX_CALL_FIELD_ID);
        }
        assertThat(RecordDescriptor.MAX_CALL_FIELD_ID).isEqualTo(Long.SIZE - 1);
        // record-level ids of the layout never collide with call fields
        assertThat(RecordDescriptor.WRITER_PID).isGreaterThan(RecordDescriptor.MAX_CALL_FIELD_ID);
    }
}
