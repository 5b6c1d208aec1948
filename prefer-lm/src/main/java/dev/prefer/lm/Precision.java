package dev.prefer.lm;

import ai.djl.ndarray.types.DataType;

/** Compute precision of a loaded model: float32 (normal use) or float64 (the double-precision twin). */
public enum Precision {
    F32(DataType.FLOAT32), F64(DataType.FLOAT64);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }
}
