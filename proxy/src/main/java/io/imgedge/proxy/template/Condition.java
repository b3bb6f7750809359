package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer's {@code when}: a small expression over the data's fields, parsed once when the
 * template loads and evaluated by walking the tree it parsed into, never as code. Grammar:
 * {@code or := and ('||' and)*}, {@code and := not ('&&' not)*}, {@code not := '!' not | cmp},
 * {@code cmp := value (('=='|'!='|'<'|'<='|'>'|'>=') value)?}, {@code value := number | 'text' |
 * "text" | field | has(field) | '(' or ')'}. Two values compare as numbers when both are numbers,
 * else as text; a value alone is true when it is present and not empty, 0 or false. Immutable.
 */
public sealed interface Condition {
    /** Always true: a layer with no {@code when}. */
    Condition ALWAYS = new Literal("true");

    boolean holds(JsonNode data);

    /** @throws IllegalArgumentException naming what does not parse */
    static Condition parse(String text) {
        Parser parser = new Parser(tokens(text));
        Condition condition = parser.or();
        if (parser.at < parser.tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + parser.tokens.get(parser.at) + "' in '" + text + "'");
        }
        return condition;
    }

    /** The fields this condition reads. */
    List<String> fields();

    record Or(Condition left, Condition right) implements Condition {
        public boolean holds(JsonNode data) {
            return left.holds(data) || right.holds(data);
        }

        public List<String> fields() {
            return join(left.fields(), right.fields());
        }
    }

    record And(Condition left, Condition right) implements Condition {
        public boolean holds(JsonNode data) {
            return left.holds(data) && right.holds(data);
        }

        public List<String> fields() {
            return join(left.fields(), right.fields());
        }
    }

    record Not(Condition inner) implements Condition {
        public boolean holds(JsonNode data) {
            return !inner.holds(data);
        }

        public List<String> fields() {
            return inner.fields();
        }
    }

    record Compare(Condition left, String op, Condition right) implements Condition {
        public boolean holds(JsonNode data) {
            String a = value(left, data);
            String b = value(right, data);
            if (a == null || b == null) {
                return op.equals("!=") && (a == null) != (b == null);
            }
            int order;
            try {
                order = new BigDecimal(a).compareTo(new BigDecimal(b));
            } catch (NumberFormatException notNumbers) {
                order = a.compareTo(b);
            }
            return switch (op) {
                case "==" -> order == 0;
                case "!=" -> order != 0;
                case "<" -> order < 0;
                case "<=" -> order <= 0;
                case ">" -> order > 0;
                default -> order >= 0;
            };
        }

        public List<String> fields() {
            return join(left.fields(), right.fields());
        }
    }

    /** A field's value (its truthiness alone), a literal, or {@code has(field)}. */
    record Field(String name) implements Condition {
        public boolean holds(JsonNode data) {
            return truthy(value(this, data));
        }

        public List<String> fields() {
            return List.of(name);
        }
    }

    record Has(String name) implements Condition {
        public boolean holds(JsonNode data) {
            String value = value(new Field(name), data);
            return value != null && !value.isEmpty();
        }

        public List<String> fields() {
            return List.of(name);
        }
    }

    record Literal(String text) implements Condition {
        public boolean holds(JsonNode data) {
            return truthy(text);
        }

        public List<String> fields() {
            return List.of();
        }
    }

    private static boolean truthy(String value) {
        return value != null && !value.isEmpty() && !value.equals("false") && !value.equals("0");
    }

    /** What a value is as text: a field's (null when absent or null), a literal's; a sub-condition's truth. */
    private static String value(Condition c, JsonNode data) {
        return switch (c) {
            case Field f -> {
                JsonNode node = data.path(f.name());
                yield node.isMissingNode() || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
            }
            case Literal l -> l.text();
            default -> Boolean.toString(c.holds(data));
        };
    }

    private static List<String> join(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed quote in '" + text + "'");
                }
                tokens.add(text.substring(i, end + 1));
                i = end + 1;
            } else if ("=!<>&|".indexOf(c) >= 0) {
                String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
                if (List.of("==", "!=", "<=", ">=", "&&", "||").contains(two)) {
                    tokens.add(two);
                    i += 2;
                } else if (c == '<' || c == '>' || c == '!') {
                    tokens.add(String.valueOf(c));
                    i++;
                } else {
                    throw new IllegalArgumentException("'" + c + "' alone in '" + text + "' (use ==, && or ||)");
                }
            } else if (c == '(' || c == ')') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-') {
                int start = i;
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || "_.-".indexOf(text.charAt(i)) >= 0)) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            } else {
                throw new IllegalArgumentException("'" + c + "' is not part of a condition in '" + text + "'");
            }
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("an empty condition");
        }
        return tokens;
    }

    /** A recursive-descent parser over the tokens. */
    final class Parser {
        private final List<String> tokens;
        private int at;

        private Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        private String peek() {
            return at < tokens.size() ? tokens.get(at) : "";
        }

        private String next() {
            if (at >= tokens.size()) {
                throw new IllegalArgumentException("the condition ends too soon");
            }
            return tokens.get(at++);
        }

        private Condition or() {
            Condition left = and();
            while (peek().equals("||")) {
                next();
                left = new Or(left, and());
            }
            return left;
        }

        private Condition and() {
            Condition left = not();
            while (peek().equals("&&")) {
                next();
                left = new And(left, not());
            }
            return left;
        }

        private Condition not() {
            if (peek().equals("!")) {
                next();
                return new Not(not());
            }
            Condition left = value();
            if (List.of("==", "!=", "<", "<=", ">", ">=").contains(peek())) {
                return new Compare(left, next(), value());
            }
            return left;
        }

        private Condition value() {
            String token = next();
            if (token.equals("(")) {
                Condition inner = or();
                if (!next().equals(")")) {
                    throw new IllegalArgumentException("a '(' is not closed");
                }
                return inner;
            }
            if (token.startsWith("'") || token.startsWith("\"")) {
                return new Literal(token.substring(1, token.length() - 1));
            }
            if (token.equals("has") && peek().equals("(")) {
                next();
                String field = next();
                if (!next().equals(")") || !field.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("has(...) takes one field name");
                }
                return new Has(field);
            }
            if (token.matches("-?[0-9]+(\\.[0-9]+)?") || token.equals("true") || token.equals("false")) {
                return new Literal(token);
            }
            if (token.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                return new Field(token);
            }
            throw new IllegalArgumentException("'" + token + "' is not a field, number or quoted text");
        }
    }
}
