package io.promptlog.integrations;

import java.util.List;

import static io.promptlog.integrations.ProviderServer.data;

/**
 * Test fixtures shared by the framework hooks' tests: Chat Completions bodies shaped as OpenAI documents
 * them, for a {@link ProviderServer} to send.
 */
public final class OpenAiChatBodies {
    /**
     * "Rome." from model {@code gpt-test-2025-12-01}, id {@code chatcmpl-1}, finish {@code stop}; usage 1000
     * prompt tokens (400 cached), 200 completion tokens (50 reasoning).
     */
    public static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764547200,"
            + "\"model\":\"gpt-test-2025-12-01\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Rome.\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":200,\"total_tokens\":1200,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":400},\"completion_tokens_details\":{\"reasoning_tokens\":50}}}";

    /** A tool call {@code call_2} of {@code get_weather} with {@code {"city":"Rome"}}, finish {@code tool_calls}. */
    public static final String TOOL_CALL = "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\",\"created\":1764547200,\"model\":\"gpt-test\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_2\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
            + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":10,\"total_tokens\":60}}";

    private OpenAiChatBodies() {
    }

    /**
     * A stream of "Hel" + "lo" (id {@code chatcmpl-2}, finish {@code stop}), then a usage chunk (10 prompt
     * tokens, 4 cached; 2 completion tokens, 0 reasoning) and {@code [DONE]}.
     */
    public static List<String> helloStream() {
        String chunk = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1764547200,\"model\":\"gpt-test-2025-12-01\",\"choices\":";
        return ProviderServer.list(
                data(chunk + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"),
                data(chunk + "[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}"),
                data(chunk + "[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}"),
                data(chunk + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
                data(chunk + "[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}"),
                "data: [DONE]\n\n");
    }

    /** A stream of "Once" + " upon" + " a time" (finish {@code stop}) and {@code [DONE]}, no usage. */
    public static List<String> storyStream() {
        String chunk = "{\"id\":\"chatcmpl-5\",\"object\":\"chat.completion.chunk\",\"created\":1764547200,\"model\":\"gpt-test\",\"choices\":";
        return ProviderServer.list(
                data(chunk + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Once\"},\"finish_reason\":null}]}"),
                data(chunk + "[{\"index\":0,\"delta\":{\"content\":\" upon\"},\"finish_reason\":null}]}"),
                data(chunk + "[{\"index\":0,\"delta\":{\"content\":\" a time\"},\"finish_reason\":\"stop\"}]}"),
                "data: [DONE]\n\n");
    }
}
