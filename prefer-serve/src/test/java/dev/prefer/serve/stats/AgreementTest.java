package dev.prefer.serve.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Expected numbers come from src/test/python/agreement_reference.py (plain Python, exact fractions; its output is
 * committed in its docstring) and, for alpha, from the published answer of Krippendorff (2011), 0.743.
 */
class AgreementTest {

    static final Integer[][] K2011 = {
            {1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null},
            {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3},
            {null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null},
            {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null},
    };

    @Test
    void krippendorffNominalMatchesThePublishedExample() {
        List<List<String>> units = new ArrayList<>();
        for (int u = 0; u < 12; u++) {
            List<String> labels = new ArrayList<>();
            for (Integer[] row : K2011) if (row[u] != null) labels.add(row[u].toString());
            units.add(labels);
        }
        double alpha = Agreement.krippendorffAlphaNominal(units);
        assertEquals(0.743421052631579, alpha, 1e-12); // reference script
        assertEquals(0.743, alpha, 5e-4);               // Krippendorff (2011), sec. C
    }

    @Test
    void krippendorffIdentities() {
        // Perfect agreement with variation: alpha = 1.
        assertEquals(1.0, Agreement.krippendorffAlphaNominal(List.of(List.of("a", "a"), List.of("b", "b", "b"))), 1e-12);
        // No variation at all: undefined.
        assertTrue(Double.isNaN(Agreement.krippendorffAlphaNominal(List.of(List.of("a", "a"), List.of("a", "a")))));
        // Units with one label carry no pairable values.
        assertEquals(1.0, Agreement.krippendorffAlphaNominal(List.of(List.of("a", "a"), List.of("b", "b"), List.of("c"))), 1e-12);
    }

    @Test
    void cohensKappaMatchesHandAndScript() {
        String[] r1 = {"first", "first", "first", "second", "second", "second", "tie", "tie", "first", "second"};
        String[] r2 = {"first", "first", "second", "second", "second", "first", "tie", "second", "first", "second"};
        Map<Integer, String> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        for (int i = 0; i < r1.length; i++) {
            a.put(i, r1[i]);
            b.put(i, r2[i]);
        }
        // By hand: p_o = 7/10; p_e = .4*.4 + .4*.5 + .2*.1 = .38; kappa = .32/.62.
        assertEquals(0.32 / 0.62, Agreement.cohensKappa(a, b), 1e-12);
        assertEquals(0.5161290322580645, Agreement.cohensKappa(a, b), 1e-12);
        assertEquals(1.0, Agreement.cohensKappa(a, a), 1e-12);
        // Only shared units count.
        b.put(99, "tie");
        assertEquals(0.32 / 0.62, Agreement.cohensKappa(a, b), 1e-12);
        assertEquals(10, Agreement.shared(a, b));
        assertTrue(Double.isNaN(Agreement.cohensKappa(Map.of(1, "x"), Map.of(2, "x"))));
    }
}
