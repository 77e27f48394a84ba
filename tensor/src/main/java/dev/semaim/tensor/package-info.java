/**
 * N-d tensors, the {@link dev.semaim.tensor.Backend} interface their kernels run on, and who owns their memory.
 *
 * <h2>Buffer lifetimes: scopes and the graph, never the call site</h2>
 *
 * A training step allocates the same buffers every time; handing each back to its backend as soon as nobody can read
 * it lets the next allocation of that size reuse it (the CPU's {@code BufferPool}, the GPU's caching allocator)
 * instead of waiting for the garbage collector. Java has no destructors, so "nobody can read it" is decided by
 * structure, in three places, and by nothing in op, layer or model code:
 *
 * <pre>
 *   allocation (Tensor.empty / Tensor.of)
 *        │ tracked by the innermost open TensorScope of the thread (none open: the collector owns it)
 *        ▼
 *   ┌─ scope closes ──────────────┬───────────────────────────────┬────────────────────────────────┐
 *   │ not kept, not held          │ kept (a returned result)      │ held by a graph node           │
 *   │ → released now              │ → moves to the enclosing scope│ → moves up, never released by  │
 *   │                             │                               │   a scope: the backward pass    │
 *   │                             │                               │   releases it after its last    │
 *   │                             │                               │   reader (Var.backwardAndRelease)│
 *   └─────────────────────────────┴───────────────────────────────┴────────────────────────────────┘
 *   detached (a parameter's value, optimizer moments, a leaf's gradient): leaves every scope; its owner ends it
 *   (Var.zeroGrad releases the gradient a backward pass made for a leaf).
 * </pre>
 *
 * Where the scopes are: a training step (the loops, around batch upload, forward, backward and update), every
 * transformer block (so a forward without gradients keeps one block's activations, not all of them), every backward
 * closure (its temporaries go when it returns), the order pass, and the evaluation, visualize and audit passes. A
 * graph node holds its value, its inputs' values and what its op saved for the backward ({@code Var.saved}, as
 * PyTorch's {@code save_for_backward}); that is the one thing an op declares. Why an arena and not reference counts:
 * Java cannot count the references its local variables hold, and a scope's "everything made here, except what
 * leaves" is exact for code that returns its results, which is what model code is.
 *
 * <p>Safety: releasing a storage twice is harmless; {@code -Dsemaim.pool.poison=true} (the test suite's mode) fills
 * released CPU buffers with NaN and a released GPU storage refuses its pointer, so an early release cannot pass
 * unnoticed; {@code dev.semaim.tensor.cpu.LeakTracer} finds buffers that reached the collector unreleased (a test runs
 * training steps under it).
 */
package dev.semaim.tensor;
