package io.promptlog.cli;

import io.promptlog.reader.TestHomes;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class EraseCommandTest {
    static LlmCall call(String id, String user, String text) {
        return LlmCall.builder().callId(id).userId(user).startTimeMicros(1_795_132_800_000_000L).requestModel("gpt-4o")
                .systemPrompt("prompt of " + user).messages(List.of(Message.of("user", text))).response("re: " + text)
                .status("error").build();
    }

    @Test
    void shouldEraseAUsersTextIncludingCallsStillInTheQueueAndSayWhatChanged(@TempDir Path home) throws Exception {
        TestHomes.append(home, call("a1", "alice", "alice secret one"), call("b1", "bob", "bob text"));
        TestHomes.compact(home, "default", "default");
        TestHomes.append(home, call("a2", "alice", "alice secret two"));   // still in the queue

        Cli.Result r = Cli.run("erase", "--dir", home.toString(), "--user", "alice");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("erase users [alice] (text): erased the text of 2 calls")
                .contains("removed 1 system prompts").contains("rewrote calls/");

        Cli.Result q = Cli.run("query", "--dir", home.toString(), "--format", "csv",
                "SELECT call_id, user_id, request_model, messages IS NULL AS gone FROM calls ORDER BY call_id");
        assertThat(q.out()).contains("a1,alice,gpt-4o,true").contains("a2,alice,gpt-4o,true").contains("b1,bob,gpt-4o,false");
        Cli.Result prompts = Cli.run("query", "--dir", home.toString(), "SELECT system_prompt FROM system_prompts");
        assertThat(prompts.out()).contains("prompt of bob").doesNotContain("prompt of alice");

        Cli.Result rows = Cli.run("erase", "--dir", home.toString(), "--call", "b1", "--all-fields");
        assertThat(rows.err()).contains("dropped 1 calls");
        assertThat(Cli.run("query", "--dir", home.toString(), "SELECT count(*) AS n FROM calls").out()).contains("2");
    }

    @Test
    void shouldNotShowErasedCallsInTailFromQueueRecordsNotSweptYet(@TempDir Path home) throws Exception {
        TestHomes.append(home, call("a1", "alice", "alice secret one"), call("b1", "bob", "bob text"),
                call("c1", "carol", "carol secret"));
        TestHomes.compact(home, "all", "default");
        TestHomes.append(home, call("d1", "dave", "dave text"));   // still in the queue
        Cli.Result before = Cli.run("tail", "--dir", home.toString(), "-n", "10");
        assertThat(before.out()).as(before.toString()).contains("a1").contains("c1").contains("d1");

        assertThat(Cli.run("erase", "--dir", home.toString(), "--user", "alice", "--all-fields").code()).isZero();
        assertThat(Cli.run("erase", "--dir", home.toString(), "--user", "carol").code()).isZero();
        // the compacted records of a1 and c1 may stay in the queue until it is swept: tail shows the dataset's rows
        Cli.Result after = Cli.run("tail", "--dir", home.toString(), "-n", "10");
        assertThat(after.code()).as(after.toString()).isZero();
        assertThat(after.out()).doesNotContain("a1").doesNotContain("alice").doesNotContain("carol secret")
                .contains("b1").contains("c1").contains("d1");
        assertThat(Cli.run("tail", "--dir", home.toString(), "-n", "0").code()).as("-n 0 prints nothing").isZero();
    }

    @Test
    void shouldRefuseAnEraseWithoutSelectionOrWithABadDate(@TempDir Path home) {
        Cli.Result none = Cli.run("erase", "--dir", home.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("at least one user, call id or date");
        Cli.Result bad = Cli.run("erase", "--dir", home.toString(), "--before", "yesterday");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--before must be a date YYYY-MM-DD");
    }

    @Test
    void shouldEraseOldTextWhenCompactingWithTextDays(@TempDir Path home) throws Exception {
        LlmCall old = call("old", "alice", "old text").toBuilder().startTimeMicros(1_000_000_000_000_000L).build(); // 2001
        TestHomes.append(home, old, call("new", "bob", "new text").toBuilder()
                .startTimeMicros(System.currentTimeMillis() * 1000).build());
        Cli.Result r = Cli.run("compact", "--dir", home.toString(), "--retain", "all", "--text-days", "30");
        assertThat(r.code()).as(r.toString()).isZero();
        Cli.Result q = Cli.run("query", "--dir", home.toString(), "--format", "csv",
                "SELECT call_id, messages IS NULL AS gone, request_model FROM calls ORDER BY call_id");
        assertThat(q.out()).contains("new,false,gpt-4o").contains("old,true,gpt-4o");
        assertThat(Cli.run("compact", "--dir", home.toString(), "--text-days", "0").code()).isEqualTo(2);
    }

    @Test
    void shouldShowAnOpenReaderTheErasedFilesAtItsNextQuery(@TempDir Path home) throws Exception {
        TestHomes.append(home, call("a1", "alice", "alice secret one"), call("b1", "bob", "bob text"));
        TestHomes.compact(home, "all", "default");
        try (io.promptlog.reader.PromptLogReader r = io.promptlog.reader.PromptLogReader.openHome(home)) {
            String sql = "SELECT count(*) FROM calls WHERE messages IS NOT NULL";
            assertThat(r.sql(sql).scalar()).isEqualTo(2L);
            assertThat(Cli.run("erase", "--dir", home.toString(), "--user", "alice").code()).isZero();
            // same reader, same file names, new contents: DuckDB's cached footers must not serve the old file
            assertThat(r.sql(sql).scalar()).isEqualTo(1L);
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(2L);
        }
    }
}
