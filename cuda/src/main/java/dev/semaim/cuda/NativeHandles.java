package dev.semaim.cuda;

import jcuda.NativePointerObject;

import java.lang.reflect.Method;

/**
 * The raw address inside a JCuda handle (a CUstream, a cuMemAlloc'd CUdeviceptr), for the C libraries called
 * through JNA (cuBLAS) that share the driver API's stream and memory. JCuda keeps the address behind a protected
 * getter; it is read once per handle by reflection (the jcuda jar is an automatic module, open to it).
 */
final class NativeHandles {
    private static final Method GET = find();

    private NativeHandles() {}

    private static Method find() {
        try {
            Method m = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cuda: cannot read JCuda's native handles (jcuda " + NativePointerObject.class.getPackage()
                    + "): " + e, e);
        }
    }

    /** The address a handle holds (for a pointer made by withByteOffset, the base without the offset). */
    static long address(NativePointerObject handle) {
        try {
            return (Long) GET.invoke(handle);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cuda: reading the address of " + handle + ": " + e, e);
        }
    }
}
