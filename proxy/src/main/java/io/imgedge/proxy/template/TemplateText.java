package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Currency;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;

/**
 * A layer's text with {@code {field}} placeholders, each with an optional chain of formatters:
 * {@code {price|currency:de-DE:EUR}}, {@code {name|upper}}, {@code {count|number:en-US:0}}
 * ({@code {{} and {@code }}} are literal braces). Parsed once when the template loads; filling
 * it in never reads the text as anything but text. Immutable.
 */
public record TemplateText(List<Part> parts) {
    /** A piece of text: literal, or a field with its formatters. */
    public sealed interface Part {
    }

    public record Literal(String text) implements Part {
    }

    public record Placeholder(String field, List<Formatter> formatters) implements Part {
    }

    /** One formatter with its arguments, checked when parsed. */
    public record Formatter(String name, List<String> args) {
        String apply(String value, String field) {
            return switch (name) {
                case "upper" -> value.toUpperCase(Locale.ROOT);
                case "lower" -> value.toLowerCase(Locale.ROOT);
                case "number" -> {
                    NumberFormat format = NumberFormat.getNumberInstance(locale(args.isEmpty() ? "en-US" : args.get(0)));
                    if (args.size() > 1) {
                        format.setMinimumFractionDigits(Integer.parseInt(args.get(1)));
                        format.setMaximumFractionDigits(Integer.parseInt(args.get(1)));
                    }
                    format.setRoundingMode(RoundingMode.HALF_UP);
                    yield format.format(number(value, field));
                }
                default -> { // currency: a locale and an ISO 4217 code
                    NumberFormat format = NumberFormat.getCurrencyInstance(locale(args.get(0)));
                    format.setCurrency(Currency.getInstance(args.get(1)));
                    format.setRoundingMode(RoundingMode.HALF_UP); // prices round as shops round them
                    yield format.format(number(value, field));
                }
            };
        }

        private static BigDecimal number(String value, String field) {
            try {
                return new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                throw new MissingField(field, "'" + value + "' is not a number");
            }
        }
    }

    /** A field the data lacks, or whose value a formatter cannot use. */
    public static final class MissingField extends RuntimeException {
        public MissingField(String field, String problem) {
            super("field '" + field + "': " + problem, null, false, false);
        }
    }

    /** @throws IllegalArgumentException naming what does not parse */
    public static TemplateText parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < text.length() && text.charAt(i + 1) == c) {
                literal.append(c);
                i += 2;
            } else if (c == '{') {
                int end = text.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("a '{' is not closed in '" + text + "'");
                }
                if (!literal.isEmpty()) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(placeholder(text.substring(i + 1, end)));
                i = end + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("a '}' is not opened in '" + text + "' (write }} for a brace)");
            } else {
                literal.append(c);
                i++;
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
        }
        return new TemplateText(List.copyOf(parts));
    }

    /** The fields this text reads. */
    public List<String> fields() {
        return parts.stream().filter(p -> p instanceof Placeholder).map(p -> ((Placeholder) p).field()).toList();
    }

    /**
     * The text with the data filled in.
     *
     * @throws MissingField for a field the data lacks or cannot be formatted
     */
    public String fill(JsonNode data) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            switch (part) {
                case Literal literal -> out.append(literal.text());
                case Placeholder p -> {
                    JsonNode node = data.path(p.field());
                    if (node.isMissingNode() || node.isNull() || node.isContainerNode()) {
                        throw new MissingField(p.field(), "missing");
                    }
                    String value = node.asText();
                    for (Formatter f : p.formatters()) {
                        value = f.apply(value, p.field());
                    }
                    out.append(value);
                }
            }
        }
        return out.toString();
    }

    private static Placeholder placeholder(String inside) {
        String[] chain = inside.split("\\|");
        String field = chain[0].strip();
        if (!field.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("'" + field + "' is not a field name");
        }
        List<Formatter> formatters = new ArrayList<>();
        for (int k = 1; k < chain.length; k++) {
            String[] words = chain[k].strip().split(":");
            List<String> args = List.of(words).subList(1, words.length);
            Formatter f = new Formatter(words[0], args.stream().map(String::strip).toList());
            switch (f.name()) {
                case "upper", "lower" -> {
                    if (!args.isEmpty()) {
                        throw new IllegalArgumentException(f.name() + " takes no arguments");
                    }
                }
                case "number" -> {
                    if (args.size() > 2 || !args.isEmpty() && locale(args.get(0)) == null
                            || args.size() == 2 && !args.get(1).matches("[0-9]")) {
                        throw new IllegalArgumentException("number takes a locale and a count of decimals (number:de-DE:2)");
                    }
                }
                case "currency" -> {
                    if (args.size() != 2) {
                        throw new IllegalArgumentException("currency takes a locale and a currency code (currency:de-DE:EUR)");
                    }
                    locale(args.get(0));
                    try {
                        Currency.getInstance(args.get(1));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("'" + args.get(1) + "' is not an ISO 4217 currency code");
                    }
                }
                default -> throw new IllegalArgumentException("'" + f.name() + "' is not a formatter (upper, lower, number, currency)");
            }
            formatters.add(f);
        }
        return new Placeholder(field, List.copyOf(formatters));
    }

    private static Locale locale(String tag) {
        try {
            return new Locale.Builder().setLanguageTag(tag).build();
        } catch (IllformedLocaleException e) {
            throw new IllegalArgumentException("'" + tag + "' is not a locale (such as de-DE)");
        }
    }
}
