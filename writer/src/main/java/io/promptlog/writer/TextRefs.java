package io.promptlog.writer;

/**
 * Resolves the texts a record carries by reference (see {@code RecordDescriptor}, "Texts by reference")
 * and learns the ones a record carries itself. Implemented by {@link ShardCursor} over its own shard.
 */
interface TextRefs {
    /** The text of field {@code fieldId} carried by the record at {@code index} of the same shard. */
    String text(int fieldId, long index) throws CorruptRecordException;

    /** The record being decoded carries field {@code fieldId}'s text itself. */
    void carried(int fieldId, String text);
}
