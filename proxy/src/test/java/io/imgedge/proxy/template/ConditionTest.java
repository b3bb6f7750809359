package io.imgedge.proxy.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConditionTest {
    static JsonNode data(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void comparisonsOfNumbersAndText() throws Exception {
        JsonNode sale = data("{\"price\": 59.9, \"sale_price\": \"39.90\", \"stock\": 0, \"badge\": \"new\", \"name\": \"b\"}");
        assertTrue(Condition.parse("sale_price < price").holds(sale), "numbers, one of them written as text");
        assertFalse(Condition.parse("sale_price >= price").holds(sale));
        assertTrue(Condition.parse("stock == 0").holds(sale));
        assertTrue(Condition.parse("badge == 'new'").holds(sale));
        assertTrue(Condition.parse("badge != \"old\"").holds(sale));
        assertTrue(Condition.parse("name > 'a'").holds(sale), "text compares as text");
        assertTrue(Condition.parse("price <= 59.9 && price >= 59.90").holds(sale));
        assertTrue(Condition.parse("10 > 9").holds(sale), "as numbers, not as text");
    }

    @Test
    void presenceTruthAndLogic() throws Exception {
        JsonNode d = data("{\"badge\": \"\", \"flag\": true, \"off\": false, \"count\": 3}");
        assertTrue(Condition.parse("has(count)").holds(d));
        assertFalse(Condition.parse("has(badge)").holds(d), "empty is not there");
        assertFalse(Condition.parse("has(missing)").holds(d));
        assertTrue(Condition.parse("flag").holds(d));
        assertFalse(Condition.parse("off").holds(d));
        assertTrue(Condition.parse("!off && (flag || missing)").holds(d));
        assertTrue(Condition.parse("missing || count == 3").holds(d));
        assertFalse(Condition.parse("missing == 1").holds(d), "a missing field equals nothing");
        assertTrue(Condition.parse("missing != 1").holds(d));
        assertEquals(List.of("flag", "missing", "count"), Condition.parse("flag && missing || count > 1").fields());
    }

    @Test
    void whatIsNoConditionIsRefused() {
        for (String bad : new String[]{"", "a =", "a = 1", "a & b", "(a", "a)", "has(a b)", "'open", "a; drop", "1 + 2",
                "java.lang.Runtime"}) {
            assertThrows(IllegalArgumentException.class, () -> Condition.parse(bad), bad);
        }
    }
}
