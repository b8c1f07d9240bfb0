package io.promptlog.compactor.internal;

import io.promptlog.compactor.Redactor;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.format.DerivedValues;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a call as logged into the row stored: hashes and lengths of the texts as logged, the retention
 * decision (on the text as logged), redaction of the texts kept, and the system prompt / tools replaced by
 * their hash, registering texts the dataset does not hold yet with the batch. Not thread-safe.
 *
 * <p>A redactor that throws fails closed: the call's text is not kept (or, for a system prompt, not
 * linked), and the error is counted.
 */
final class CallProcessor {
    private static final int CACHE_ENTRIES = 4096;

    private final RetentionPolicy retention;
    private final Redactor redactor;
    private final StatsCounters stats;
    private final KnownTexts knownPrompts;
    private final KnownTexts knownTools;
    private final DerivedValues derived = new DerivedValues();
    private final Map<String, StoredText> promptCache = lru();
    private final Map<String, String> toolsCache = lru();

    CallProcessor(RetentionPolicy retention, Redactor redactor, StatsCounters stats, KnownTexts knownPrompts,
                  KnownTexts knownTools) {
        this.retention = retention;
        this.redactor = redactor;
        this.stats = stats;
        this.knownPrompts = knownPrompts;
        this.knownTools = knownTools;
    }

    private record StoredText(String text, String hash, int redactions) {
    }

    void process(LlmCall call, Batch batch, long index) {
        long start = call.startTimeMicros() == null ? 0 : call.startTimeMicros();
        long redactions = 0;

        String promptHash = null;
        String prompt = call.systemPrompt();
        if (prompt != null) {
            StoredText st = storedPrompt(prompt, batch.shard, index);
            if (st != null) {
                promptHash = st.hash;
                redactions += st.redactions;
                register(batch.newPrompts, knownPrompts, st.hash, st.text, start);
            }
        }
        String toolsHash = null;
        String tools = call.string(CallField.TOOLS);
        if (tools != null) {
            toolsHash = toolsCache.computeIfAbsent(tools, derived::textHash);
            register(batch.newTools, knownTools, toolsHash, tools, start);
        }

        List<Message> messages = call.messages();
        Object rawMessages = call.get(CallField.MESSAGES);
        DerivedValues.InputDigest input = derived.input();
        for (Message m : messages) {
            input.message(m.role(), m.content(), m.name(), m.toolCallId());
        }
        long inputChars = input.chars();
        String inputHash = rawMessages == null ? null : input.hash();
        String response = call.response();
        String outputHash = derived.textHash(response);
        long outputChars = DerivedValues.chars(response);

        String callId = call.callId();
        String reason;
        try {
            reason = retention.reason(call, callId == null ? 0 : derived.samplingHash(callId), callId != null);
        } catch (RuntimeException e) {
            stats.error("retention rule failed on shard " + batch.shard + " index " + index + ": " + e);
            reason = null;
        }

        LlmCall.Builder b = call.toBuilder().set(CallField.SYSTEM_PROMPT, null).set(CallField.TOOLS, null);
        long retainedChars = 0;
        if (reason != null) {
            try {
                int[] n = new int[1];
                if (rawMessages != null) {
                    List<Message> out = new ArrayList<>(messages.size());
                    for (Message m : messages) {
                        out.add(m.content() == null ? m
                                : new Message(m.role(), redact(m.content(), n), m.name(), m.toolCallId()));
                    }
                    b.set(CallField.MESSAGES, out);
                }
                if (response != null) {
                    b.set(CallField.RESPONSE, redact(response, n));
                }
                String toolCalls = call.string(CallField.RESPONSE_TOOL_CALLS);
                if (toolCalls != null) {
                    b.set(CallField.RESPONSE_TOOL_CALLS, redact(toolCalls, n));
                    retainedChars += toolCalls.length();
                }
                redactions += n[0];
                retainedChars += inputChars + outputChars;
            } catch (RuntimeException e) {
                stats.error("redactor failed on shard " + batch.shard + " index " + index
                        + ", text not kept: " + e);
                reason = null;
                retainedChars = 0;
            }
        }
        if (reason == null) {
            b.set(CallField.MESSAGES, null).set(CallField.RESPONSE, null).set(CallField.RESPONSE_TOOL_CALLS, null);
        } else {
            stats.textRetained.incrementAndGet();
        }
        stats.redactions.addAndGet(redactions);
        batch.add(new CompactedCall(b.build(), promptHash, toolsHash, reason != null, reason, inputHash, outputHash,
                inputChars, outputChars, redactions), retainedChars);
    }

    private String redact(String text, int[] count) {
        Redactor.Result r = redactor.redact(text);
        count[0] += r.replacements();
        return r.text();
    }

    private StoredText storedPrompt(String raw, int shard, long index) {
        StoredText st = promptCache.get(raw);
        if (st == null) {
            try {
                Redactor.Result r = redactor.redact(raw);
                st = new StoredText(r.text(), derived.textHash(r.text()), r.replacements());
            } catch (RuntimeException e) {
                stats.error("redactor failed on the system prompt at shard " + shard + " index " + index
                        + ", prompt not stored: " + e);
                return null;
            }
            promptCache.put(raw, st);
        }
        return st;
    }

    private static void register(Map<String, TextEntry> batchNew, KnownTexts known, String hash, String text,
                                 long start) {
        if (known.contains(hash)) {
            return;
        }
        TextEntry e = batchNew.get(hash);
        if (e == null) {
            batchNew.put(hash, new TextEntry(hash, text, start));
        } else if (start < e.firstSeenMicros()) {
            batchNew.put(hash, new TextEntry(hash, text, start));
        }
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CACHE_ENTRIES;
            }
        };
    }
}
