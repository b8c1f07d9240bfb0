package io.promptlog.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptlog.reader.CanonicalJson;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.writer.Message;
import io.promptlog.writer.PrivateFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes calls to a file:",
                "  jsonl        the canonical JSON object per line (what `import` reads back)",
                "  openai-chat  {\"messages\":[system, ..., assistant]} per line, for evaluation / fine-tuning sets",
                "               (calls whose text was not retained or that have no response are skipped and counted)",
                "  parquet      one Parquet file of calls_full (calls with their system prompt and tools texts)"})
final class ExportCommand implements Callable<Integer> {
    enum Format { jsonl, openai_chat, parquet }

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--where", paramLabel = "PREDICATE", description = "a SQL predicate over calls_full columns, e.g. \"status = 'error'\"")
    String where;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", converter = FormatConverter.class,
            description = "jsonl, openai-chat or parquet")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "F",
            description = "output file (replaced; mode 0600, new directories 0700); not inside the promptlog home or dataset")
    Path out;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String v) {
            return switch (v) {
                case "jsonl" -> Format.jsonl;
                case "openai-chat" -> Format.openai_chat;
                case "parquet" -> Format.parquet;
                default -> throw new CommandLine.TypeConversionException("'" + v + "' is not one of jsonl, openai-chat, parquet");
            };
        }
    }

    @Override
    public Integer call() throws IOException {
        if (out.getFileName() == null || out.toString().isEmpty() || Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out must name a file, not a directory: '" + out + "'");
        }
        refuseInside(dataset.data != null ? dataset.data : dataset.home(),
                dataset.data != null ? "dataset directory" : "promptlog home");
        try (PromptLogReader r = dataset.open(spec.commandLine().getErr(), true)) {
            String filter = where == null || where.isBlank() ? "" : " WHERE " + where;
            long total = ((Number) r.sql("SELECT count(*) FROM calls_full" + filter).scalar()).longValue();
            Path parentDir = out.toAbsolutePath().getParent();
            if (parentDir != null) {
                PrivateFiles.createDirectories(parentDir);
            }
            // the temp file lives in a private (0700) directory next to the output until it is whole
            Path tmpDir = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".export-tmp");
            Path tmp = tmpDir.resolve(out.getFileName());
            try {
                PrivateFiles.createDirectories(tmpDir);
                Files.deleteIfExists(tmp);
                writeTo(r, tmp, filter, total);
                PrivateFiles.restrictFile(tmp);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(tmpDir);
            }
        }
        return 0;
    }

    private void writeTo(PromptLogReader r, Path tmp, String filter, long total) throws IOException {
        {
            long written;
            long skipped = 0;
            if (format == Format.parquet) {
                written = r.exportParquet(where, tmp);
            } else {
                long[] counts = new long[2];
                ProgressBar bar = new ProgressBar(parent.err, "export", total);
                try (Writer w = new BufferedWriter(new java.io.OutputStreamWriter(PrivateFiles.newOutputStream(tmp),
                        StandardCharsets.UTF_8), 1 << 16)) {
                    r.forEachCall(where, s -> {
                        try {
                            String line = format == Format.jsonl ? CanonicalJson.write(s.call()) : openAiChat(s.call());
                            if (line == null) {
                                counts[1]++;
                            } else {
                                w.write(line);
                                w.write('\n');
                                counts[0]++;
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
                        }
                        bar.update(counts[0] + counts[1]);
                    });
                }
                bar.finish(counts[0] + counts[1]);
                written = counts[0];
                skipped = counts[1];
            }
            parent.err.printf("exported %,d calls to %s (%s, %,d bytes)%s%n", written, out,
                    format == Format.openai_chat ? "openai-chat" : format.name(), Files.size(tmp),
                    skipped > 0 ? "; skipped " + skipped + " without retained text or response" : "");
            parent.err.flush();
        }
    }

    /** Refuses an output inside {@code dir} (after resolving symbolic links): it would mix with, or replace, promptlog's files. */
    private void refuseInside(Path dir, String what) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Path realDir = dir.toRealPath();
        Path target = out.toAbsolutePath().normalize();
        Path existing = target;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        Path real = existing == null ? target : existing.toRealPath().resolve(existing.relativize(target));
        if (real.startsWith(realDir)) {
            throw new IllegalArgumentException("refusing to export to " + out + ": it is inside the " + what + " "
                    + dir.toAbsolutePath() + " (an export there could replace the dataset's own files); "
                    + "choose a path outside it");
        }
    }

    /** One openai-chat line, or null when the call has no retained conversation and response. */
    static String openAiChat(io.promptlog.writer.LlmCall c) {
        if (c.response() == null || (c.messages().isEmpty() && c.systemPrompt() == null)) {
            return null;
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        ArrayNode msgs = o.putArray("messages");
        if (c.systemPrompt() != null) {
            msgs.addObject().put("role", "system").put("content", c.systemPrompt());
        }
        for (Message m : c.messages()) {
            ObjectNode n = msgs.addObject().put("role", m.role());
            if (m.content() != null) {
                n.put("content", m.content());
            }
            if (m.name() != null) {
                n.put("name", m.name());
            }
            if (m.toolCallId() != null) {
                n.put("tool_call_id", m.toolCallId());
            }
        }
        msgs.addObject().put("role", "assistant").put("content", c.response());
        return o.toString();
    }
}
