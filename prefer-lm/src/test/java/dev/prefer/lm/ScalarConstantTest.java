package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * {@link Transformer#constant}: a scalar that autograd keeps for the backward pass survives garbage collection and
 * new host arrays between forward and backward. (DJL's {@code x.mul(3.0)} under the same pressure gave gradients of
 * 0 or 555 instead of 3 in 10 of 20 trials here — its scalar wraps a Java buffer that is released right after the op —
 * which is why the model code never multiplies by a Number where gradients flow.) d(sum(c·x))/dx = c exactly.
 */
class ScalarConstantTest {

    @Test
    void gradientThroughConstantSurvivesGarbageCollection() {
        Torch.init();
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            for (int trial = 0; trial < 10; trial++) {
                try (NDManager m = Torch.newManager()) {
                    NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(4)).toType(type, false);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Torch.init().newGradientCollector()) {
                        NDArray y = x.mul(Transformer.constant(x, 3.0)).sum();
                        for (int i = 0; i < 200; i++) m.create(new double[] {777.0 + i}).close();
                        System.gc();
                        for (int i = 0; i < 2000; i++) m.create(new double[] {555.0});
                        gc.backward(y);
                    }
                    double[] g = x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                    for (double v : g) assertEquals(3.0, v, 0.0, type + " trial " + trial);
                }
            }
        }
    }
}
