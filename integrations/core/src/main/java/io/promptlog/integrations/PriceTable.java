package io.promptlog.integrations;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Model prices, in US dollars per million tokens, that turn a call's token usage into {@code cost_usd}.
 * Immutable; {@link #defaults()} is the table shipped with promptlog (resource
 * {@code io/promptlog/integrations/prices.csv}, provider list prices), and {@link #with} /
 * {@link #withOverrides} / {@link #load} give your own prices.
 *
 * <p>File format: one {@code model,input,cached_input,output} row per line, {@code #} comments and blank
 * lines ignored. A model name matches a row exactly, or else the longest row that is a prefix of it
 * followed by {@code '-'} (so dated snapshots such as {@code gpt-4o-2024-08-06} find {@code gpt-4o}),
 * after lower-casing and dropping a {@code vendor/} prefix. An unknown model has no cost: the record's
 * {@code cost_usd} stays empty rather than wrong.
 *
 * <p>Cost = (input - cached) x input price + cached x cached-input price + output x output price, where
 * {@code input} counts every input token including the cached ones (as OpenAI reports it; the Anthropic
 * hook adds cache reads and writes to {@code input_tokens} to match).
 */
public final class PriceTable {
    private static final String RESOURCE = "prices.csv";
    private static volatile PriceTable defaults;

    private final Map<String, Price> prices;

    /**
     * One model's prices, US dollars per million tokens.
     *
     * @throws IllegalArgumentException when a price is negative or not finite
     */
    public record Price(double inputUsdPerMillion, double cachedInputUsdPerMillion, double outputUsdPerMillion) {
        public Price {
            check("input", inputUsdPerMillion);
            check("cached_input", cachedInputUsdPerMillion);
            check("output", outputUsdPerMillion);
        }

        private static void check(String what, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(what + " price must be a finite number >= 0, got " + v);
            }
        }
    }

    private PriceTable(Map<String, Price> prices) {
        this.prices = Collections.unmodifiableMap(prices);
    }

    /** The table shipped with promptlog. */
    public static PriceTable defaults() {
        PriceTable t = defaults;
        if (t == null) {
            try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " missing from promptlog-integrations-core");
                }
                t = parse(new InputStreamReader(in, StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            defaults = t;
        }
        return t;
    }

    /** A table with no prices: every cost stays empty. */
    public static PriceTable empty() {
        return new PriceTable(new TreeMap<>());
    }

    /**
     * Reads a price file (format in the class doc).
     *
     * @throws IllegalArgumentException naming the file and line of a malformed row
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static PriceTable load(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses price rows from {@code reader}; {@code source} names it in error messages.
     *
     * @throws IllegalArgumentException naming the source and line of a malformed row
     */
    public static PriceTable parse(Reader reader, String source) throws IOException {
        Map<String, Price> out = new TreeMap<>();
        BufferedReader r = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split(",", -1);
            if (parts.length != 4 || parts[0].isBlank()) {
                throw new IllegalArgumentException(source + " line " + n + ": expected model,input,cached_input,output"
                        + " but got '" + s + "'");
            }
            try {
                Price p = new Price(Double.parseDouble(parts[1].strip()), Double.parseDouble(parts[2].strip()),
                        Double.parseDouble(parts[3].strip()));
                out.put(normalise(parts[0]), p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + n + ": " + e.getMessage() + " in '" + s + "'", e);
            }
        }
        return new PriceTable(out);
    }

    /** This table with one model's row added or replaced. */
    public PriceTable with(String model, Price price) {
        Objects.requireNonNull(price, "price");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank, got '" + model + "'");
        }
        Map<String, Price> copy = new TreeMap<>(prices);
        copy.put(normalise(model), price);
        return new PriceTable(copy);
    }

    /** This table with every row of {@code overrides} added or replacing ours. */
    public PriceTable withOverrides(PriceTable overrides) {
        Map<String, Price> copy = new TreeMap<>(prices);
        copy.putAll(overrides.prices);
        return new PriceTable(copy);
    }

    /** The rows, by normalised model name. */
    public Map<String, Price> prices() {
        return prices;
    }

    /** The price of {@code model} (matching as in the class doc), or null when unknown. */
    public Price price(String model) {
        if (model == null || model.isBlank()) {
            return null;
        }
        String m = normalise(model);
        Price exact = prices.get(m);
        if (exact != null) {
            return exact;
        }
        for (int dash = m.lastIndexOf('-'); dash > 0; dash = m.lastIndexOf('-', dash - 1)) {
            Price p = prices.get(m.substring(0, dash));
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /**
     * The cost of one call, or empty when the model is unknown or {@code inputTokens} and
     * {@code outputTokens} are both absent (negative).
     *
     * @param inputTokens       every input token, cached ones included; negative when unknown
     * @param cachedInputTokens the part of {@code inputTokens} read from the prompt cache; negative when unknown
     * @param outputTokens      output tokens (reasoning included); negative when unknown
     */
    public OptionalDouble costUsd(String model, long inputTokens, long cachedInputTokens, long outputTokens) {
        Price p = price(model);
        if (p == null || (inputTokens < 0 && outputTokens < 0)) {
            return OptionalDouble.empty();
        }
        long in = Math.max(0, inputTokens);
        long cached = Math.min(in, Math.max(0, cachedInputTokens));
        long out = Math.max(0, outputTokens);
        double usd = ((in - cached) * p.inputUsdPerMillion() + cached * p.cachedInputUsdPerMillion()
                + out * p.outputUsdPerMillion()) / 1_000_000.0;
        return OptionalDouble.of(usd);
    }

    private static String normalise(String model) {
        String m = model.strip().toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        return slash >= 0 ? m.substring(slash + 1) : m;
    }

    @Override
    public String toString() {
        return "PriceTable" + prices.keySet();
    }
}
