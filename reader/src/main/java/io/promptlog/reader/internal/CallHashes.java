package io.promptlog.reader.internal;

import io.promptlog.writer.Message;

import java.util.List;

/**
 * The hashes and sizes the live view derives for a queue call, matching the compactor's (the contract:
 * lowercase hex SHA-256 of the text as stored; input/output hashes over the messages / response as
 * logged). Delegates to the compactor where it defines the bytes.
 */
final class CallHashes {
    private CallHashes() {
    }

    static String textHash(String text) {
        return CompactorLink.textHash(text);
    }

    static String inputHash(List<Message> messages) {
        return CompactorLink.inputHash(messages);
    }

    static String outputHash(String response) {
        return CompactorLink.outputHash(response);
    }

    static long inputChars(List<Message> messages) {
        long n = 0;
        for (Message m : messages) {
            if (m.content() != null) {
                n += m.content().length();
            }
        }
        return n;
    }
}
