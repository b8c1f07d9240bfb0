package io.promptlog.cli;

import io.promptlog.reader.StoredCall;
import io.promptlog.reader.Timestamps;
import io.promptlog.writer.CallField;
import io.promptlog.writer.FieldType;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Set;

/** The readable rendering of one call ({@code promptlog show}): every field, then the texts in full. */
final class CallText {
    private static final Set<CallField> TEXTS = EnumSet.of(CallField.SYSTEM_PROMPT, CallField.TOOLS, CallField.MESSAGES,
            CallField.RESPONSE, CallField.RESPONSE_TOOL_CALLS, CallField.ERROR_MESSAGE, CallField.PARAMS);

    private CallText() {
    }

    static void print(StoredCall s, PrintWriter out, int maxTextChars) {
        LlmCall c = s.call();
        out.println("call " + c.callId() + "  (" + (s.live() ? "live: in the queue, not compacted yet"
                : "compacted, date=" + s.date()) + ")");
        for (CallField f : CallField.all()) {
            Object v = c.get(f);
            if (v == null || TEXTS.contains(f) || f == CallField.CALL_ID) {
                continue;
            }
            out.printf("  %-20s %s%n", f.column(), scalar(f, v, c));
        }
        out.printf("  %-20s %s%n", "text_retained", s.textRetained()
                + (s.retentionReason() == null ? "" : " (" + s.retentionReason() + ")"));
        if (s.redactions() != null && s.redactions() > 0) {
            out.printf("  %-20s %d%n", "redactions", s.redactions());
        }
        if (c.truncated()) {
            out.printf("  %-20s %s%n", "truncated", "true (the writer cut text to fit its record size limit)");
        }
        field(out, "system_prompt_hash", s.systemPromptHash());
        field(out, "tools_hash", s.toolsHash());
        field(out, "input_hash", s.inputHash());
        field(out, "output_hash", s.outputHash());
        field(out, "input_chars", s.inputChars());
        field(out, "output_chars", s.outputChars());
        section(out, "params", c.string(CallField.PARAMS), maxTextChars);
        section(out, "system prompt", c.systemPrompt(), maxTextChars);
        section(out, "tools", c.string(CallField.TOOLS), maxTextChars);
        if (!c.messages().isEmpty()) {
            out.println();
            out.println("── messages (" + c.messages().size() + ") ──");
            for (Message m : c.messages()) {
                StringBuilder h = new StringBuilder("[").append(m.role());
                if (m.name() != null) {
                    h.append(" name=").append(m.name());
                }
                if (m.toolCallId() != null) {
                    h.append(" tool_call_id=").append(m.toolCallId());
                }
                out.println(h.append("] ").append(clip(m.content() == null ? "" : m.content(), maxTextChars)));
            }
        } else if (!s.textRetained()) {
            out.println();
            out.println("── messages and response not retained (metadata only) ──");
        }
        section(out, "response", c.response(), maxTextChars);
        section(out, "response tool calls", c.string(CallField.RESPONSE_TOOL_CALLS), maxTextChars);
        section(out, "error message", c.string(CallField.ERROR_MESSAGE), maxTextChars);
        out.flush();
    }

    private static void field(PrintWriter out, String name, Object v) {
        if (v != null) {
            out.printf("  %-20s %s%n", name, v);
        }
    }

    private static String scalar(CallField f, Object v, LlmCall c) {
        if (f.type() == FieldType.TIMESTAMP_MICROS) {
            return Timestamps.format((Long) v);
        }
        if (f == CallField.DURATION_US || f == CallField.TTFT_US) {
            return v + " us (" + String.format("%.1f ms", (Long) v / 1000.0) + ")";
        }
        if (f.type() == FieldType.ATTRIBUTES || f.type() == FieldType.STRING_LIST) {
            return ResultFormat.node(v).toString();
        }
        return String.valueOf(v);
    }

    private static void section(PrintWriter out, String title, String text, int max) {
        if (text == null) {
            return;
        }
        out.println();
        out.println("── " + title + " (" + text.length() + " chars) ──");
        out.println(clip(text, max));
    }

    private static String clip(String s, int max) {
        if (max <= 0 || s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "… [" + (s.length() - max) + " more chars]";
    }
}
