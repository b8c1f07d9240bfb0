package io.promptlog.compactor.internal;

import io.promptlog.compactor.Redactor;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.format.DerivedValues;
import io.promptlog.format.Utf8Buffer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a call as logged into the row stored: keyed hashes and lengths of the texts as logged, the
 * retention decision (on the text as logged), redaction of every text-bearing field stored (the
 * {@link RedactedFields}: the retained text, the metadata text of every call, and the system prompt / tools,
 * which are replaced by the hash of their redacted text), registering texts the dataset does not hold
 * yet with the batch. Not thread-safe.
 *
 * <p>A redactor that throws fails closed: the call's text is not kept (or, for a system prompt or tools,
 * not linked), its metadata text fields are stored empty (NULL), and the error is counted.
 */
final class CallProcessor {
    private static final int CACHE_ENTRIES = 4096;

    private final RetentionPolicy retention;
    private final Redactor redactor;
    private final StatsCounters stats;
    private final KnownTexts knownPrompts;
    private final KnownTexts knownTools;
    /** Short metadata values repeat (model names, services, labels): their redaction is memoized. */
    private static final int MEMO_MAX_CHARS = 64;

    private final DerivedValues derived;
    private final Utf8Buffer utf8 = new Utf8Buffer();
    private final Map<String, StoredText> promptCache = lru();
    private final Map<String, StoredText> toolsCache = lru();
    private final TextMemo<Redactor.Result> shortTexts = new TextMemo<>(CACHE_ENTRIES);
    /** Contents longer than this are encoded and redacted each time (the memo holds at most 4,096 of them). */
    private static final int MEMO_MAX_CONTENT_CHARS = 4096;
    private final TextMemo<KnownContent> knownContents = new TextMemo<>(CACHE_ENTRIES);
    private final Map<Integer, Long> noTextUpTo = new java.util.concurrent.ConcurrentHashMap<>();

    CallProcessor(RetentionPolicy retention, Redactor redactor, DerivedValues derived, StatsCounters stats,
                  KnownTexts knownPrompts, KnownTexts knownTools) {
        this.retention = retention;
        this.redactor = redactor;
        this.derived = derived;
        this.stats = stats;
        this.knownPrompts = knownPrompts;
        this.knownTools = knownTools;
    }

    private record StoredText(String text, String hash, int redactions) {
    }

    /** A message content as logged (UTF-8), and once a call kept it, as stored (UTF-8) and its replacements. */
    private static final class KnownContent {
        final byte[] logged;
        byte[] stored;
        int replacements;

        KnownContent(byte[] logged, byte[] stored, int replacements) {
            this.logged = logged;
            this.stored = stored;
            this.replacements = replacements;
        }
    }

    void process(LlmCall call, Batch batch, long index) {
        if (Boolean.TRUE.equals(call.bool(CallField.NO_TEXT))) {
            processNoText(call, batch, index);
            return;
        }
        long start = call.startTimeMicros() == null ? 0 : call.startTimeMicros();
        long redactions = 0;

        String promptHash = null;
        String prompt = call.systemPrompt();
        if (prompt != null) {
            StoredText st = stored(promptCache, "system prompt", prompt, batch.shard, index);
            if (st != null) {
                promptHash = st.hash;
                redactions += st.redactions;
                register(batch.newPrompts, batch.storedPrompts, knownPrompts, st.hash, st.text, start);
            }
        }
        String toolsHash = null;
        String tools = call.string(CallField.TOOLS);
        if (tools != null) {
            StoredText st = stored(toolsCache, "tools", tools, batch.shard, index);
            if (st != null) {
                toolsHash = st.hash;
                redactions += st.redactions;
                register(batch.newTools, batch.storedTools, knownTools, toolsHash, st.text, start);
            }
        }

        String callId = call.callId();
        String reason;
        try {
            reason = retention.reason(call, callId == null ? 0 : derived.samplingHash(callId), callId != null);
        } catch (RuntimeException e) {
            stats.error("retention rule failed on shard " + batch.shard + " index " + index + ": " + e);
            reason = null;
        }

        // the keyed hashes of the text as logged; a text kept is encoded once, for its hash and its Parquet value
        List<Message> messages = call.messages();
        Object rawMessages = call.get(CallField.MESSAGES);
        String response = call.response();
        byte[][] contents = reason == null ? null : new byte[messages.size()][];
        KnownContent[] known = new KnownContent[messages.size()];
        DerivedValues.InputDigest input = derived.input();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String c = m.content();
            if (c == null) {
                input.message(m.role(), (byte[]) null, 0, m.name(), m.toolCallId());
                continue;
            }
            KnownContent k = c.length() <= MEMO_MAX_CONTENT_CHARS ? knownContents.get(c) : null;
            if (k == null) {
                k = new KnownContent(utf8.encode(c).copy(), null, 0);
                if (c.length() <= MEMO_MAX_CONTENT_CHARS) {
                    knownContents.put(c, k);
                }
            }
            known[i] = k;
            if (contents != null) {
                contents[i] = k.logged;
            }
            input.message(m.role(), k.logged, c.length(), m.name(), m.toolCallId());
        }
        long inputChars = input.chars();
        String inputHash = rawMessages == null ? null : input.hash();
        byte[] responseUtf8 = reason == null || response == null ? null : utf8.encode(response).copy();
        String outputHash = responseUtf8 != null ? derived.outputHash(responseUtf8) : derived.outputHash(response);
        long outputChars = DerivedValues.chars(response);

        LlmCall.Builder b = call.toBuilder().set(CallField.SYSTEM_PROMPT, null).set(CallField.TOOLS, null);
        redactions += redactMetadata(call, b, batch.shard, index);
        long retainedChars = 0;
        CompactedCall.StoredText text = null;
        if (reason != null) {
            try {
                int[] n = new int[1];
                if (rawMessages != null) {
                    List<Message> out = new ArrayList<>(messages.size());
                    for (int i = 0; i < messages.size(); i++) {
                        Message m = messages.get(i);
                        if (m.content() != null) {
                            contents[i] = storedContent(m.content(), known[i], n);
                        }
                        out.add(m.content() == null && m.name() == null ? m
                                : new Message(m.role(), null, m.name() == null ? null : redact(m.name(), n), m.toolCallId()));
                    }
                    b.set(CallField.MESSAGES, out);
                }
                if (response != null) {
                    String stored = redact(response, n);
                    if (stored != response) {
                        responseUtf8 = utf8.encode(stored).copy();
                    }
                    b.set(CallField.RESPONSE, null);
                }
                byte[] toolCallsUtf8 = null;
                String toolCalls = call.string(CallField.RESPONSE_TOOL_CALLS);
                if (toolCalls != null) {
                    toolCallsUtf8 = utf8.encode(redact(toolCalls, n)).copy();
                    b.set(CallField.RESPONSE_TOOL_CALLS, null);
                    retainedChars += toolCalls.length();
                }
                redactions += n[0];
                retainedChars += inputChars + outputChars;
                text = new CompactedCall.StoredText(contents, responseUtf8, toolCallsUtf8);
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
                inputChars, outputChars, redactions, text), index, retainedChars);
    }

    /**
     * A call whose user did not consent to text storage: none of {@link CallField#NO_TEXT_FIELDS} is
     * stored, linked or hashed (whatever the retention policy); the lengths and the metadata (redacted as
     * usual) are. Remembers the queue index so the queue sweep drops its cycle file without a grace period.
     */
    private void processNoText(LlmCall call, Batch batch, long index) {
        long inputChars = 0;
        for (Message m : call.messages()) {
            inputChars += DerivedValues.chars(m.content());
        }
        long outputChars = DerivedValues.chars(call.response());
        LlmCall.Builder stripped = call.toBuilder();
        for (CallField f : CallField.NO_TEXT_FIELDS) {
            stripped.set(f, null);
        }
        LlmCall withoutText = stripped.build();
        LlmCall.Builder b = withoutText.toBuilder();
        long redactions = redactMetadata(withoutText, b, batch.shard, index);
        stats.redactions.addAndGet(redactions);
        noTextUpTo.merge(batch.shard, index, Math::max);
        batch.add(new CompactedCall(b.build(), null, null, false, null, null, null, inputChars, outputChars,
                redactions, null), index, 0);
    }

    /** Shard -> highest queue index of a no-text call processed so far (its cycle and older ones go at once). */
    Map<Integer, Long> noTextUpTo() {
        return noTextUpTo;
    }

    /**
     * The stored UTF-8 of a retained message content: redacted once per distinct content seen lately (a chat
     * re-sends its whole conversation on every call, so most of a call's messages were redacted for an
     * earlier call), the replacements counted on every call that stores it.
     */
    private byte[] storedContent(String content, KnownContent k, int[] count) {
        if (k.stored == null) {
            Redactor.Result r = redactor.redact(content);
            k.stored = r.text() == content ? k.logged : utf8.encode(r.text()).copy();
            k.replacements = r.replacements();
        }
        count[0] += k.replacements;
        return k.stored;
    }

    private String redact(String text, int[] count) {
        Redactor.Result r = redactor.redact(text);
        count[0] += r.replacements();
        return r.text();
    }

    /** Redacts every {@link RedactedFields#METADATA} field into {@code b}; returns the replacements made. */
    private long redactMetadata(LlmCall call, LlmCall.Builder b, int shard, long index) {
        int[] n = new int[1];
        for (CallField f : RedactedFields.METADATA) {
            Object v = call.get(f);
            if (v == null) {
                continue;
            }
            try {
                b.set(f, switch (f.type()) {
                    case STRING -> redactShort((String) v, n);
                    case STRING_LIST -> redactList(castList(v), n);
                    case ATTRIBUTES -> redactMap(castMap(v), n);
                    default -> throw new IllegalStateException(f + " is not a metadata text type");
                });
            } catch (RuntimeException e) {
                stats.error("redactor failed on " + f.column() + " at shard " + shard + " index " + index
                        + ", field not stored: " + e);
                b.set(f, null);
            }
        }
        return n[0];
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object v) {
        return (List<String>) v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Object v) {
        return (Map<String, String>) v;
    }

    private String redactShort(String text, int[] count) {
        if (text.length() > MEMO_MAX_CHARS) {
            return redact(text, count);
        }
        Redactor.Result r = shortTexts.get(text);
        if (r == null) {
            r = redactor.redact(text);
            shortTexts.put(text, r);
        }
        count[0] += r.replacements();
        return r.text();
    }

    private List<String> redactList(List<String> in, int[] count) {
        List<String> out = new ArrayList<>(in.size());
        for (String s : in) {
            out.add(redactShort(s, count));
        }
        return out;
    }

    private Map<String, String> redactMap(Map<String, String> in, int[] count) {
        Map<String, String> out = new LinkedHashMap<>(in.size() * 2);
        for (Map.Entry<String, String> e : in.entrySet()) {
            out.put(redactShort(e.getKey(), count), e.getValue() == null ? null : redactShort(e.getValue(), count));
        }
        return out;
    }

    /** The redacted text and its hash, for a deduplicated text (system prompt, tools); null when redaction failed. */
    private StoredText stored(Map<String, StoredText> cache, String what, String raw, int shard, long index) {
        StoredText st = cache.get(raw);
        if (st == null) {
            try {
                Redactor.Result r = redactor.redact(raw);
                st = new StoredText(r.text(), derived.textHash(r.text()), r.replacements());
            } catch (RuntimeException e) {
                stats.error("redactor failed on the " + what + " at shard " + shard + " index " + index
                        + ", " + what + " not stored: " + e);
                return null;
            }
            cache.put(raw, st);
        }
        return st;
    }

    /** Notes a text a row uses: new (to store with the batch) or already stored (kept in case it is erased meanwhile). */
    private static void register(Map<String, TextEntry> batchNew, Map<String, TextEntry> batchStored, KnownTexts known,
                                 String hash, String text, long start) {
        Map<String, TextEntry> into = known.contains(hash) ? batchStored : batchNew;
        TextEntry e = into.get(hash);
        if (e == null || start < e.firstSeenMicros()) {
            into.put(hash, new TextEntry(hash, text, start));
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
