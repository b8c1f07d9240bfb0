package io.promptlog.cli;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The CLI's JSON mapper (tables as JSON, response bodies, export lines); the call format is the reader's CanonicalJson. */
final class Json {
    /** Thread-safe. Calls and responses carry texts of many megabytes; Jackson's default string limit is 20 MB. */
    static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(10_000).build());
    }

    private Json() {
    }
}
