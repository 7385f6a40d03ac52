//go:build !noasm && !gccgo && !safe

#include "textflag.h"

// func scatterAdd32(sign uint32, rows []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadVals unsafe.Pointer, aheadLines int)
TEXT ·scatterAdd32(SB), NOSPLIT, $0-104
	MOVSS   sign+0(FP), X0          // X0 = sign mask: 0 or 1<<31
	MOVQ    rows_base+8(FP), SI     // SI = &rows[0]
	MOVQ    rows_len+16(FP), CX     // CX = len(rows)
	MOVQ    vals_base+32(FP), DX    // DX = &vals[0]
	MOVQ    y_base+56(FP), DI       // DI = &y[0]
	MOVQ    ahead+80(FP), R8        // R8 = next column rows to prefetch
	MOVQ    aheadVals+88(FP), R9    // R9 = next column values to prefetch
	MOVQ    aheadLines+96(FP), R10  // R10 = cache lines left to prefetch

loop16: // for len(rows) >= 16 {
	CMPQ    CX, $16
	JLT     tail
	TESTQ   R10, R10
	JEQ     body
	PREFETCHT0 (R8)                // one line of the next column per 16 entries
	PREFETCHT0 (R9)
	ADDQ    $64, R8
	ADDQ    $64, R9
	DECQ    R10

body: // y[rows[i]] += vals[i] with the sign of X0, i = 0..15
	MOVL    0(SI), AX
	MOVL    4(SI), BX
	MOVL    8(SI), R11
	MOVL    12(SI), R12
	MOVSS   0(DX), X1
	XORPS   X0, X1
	ADDSS   (DI)(AX*4), X1
	MOVSS   X1, (DI)(AX*4)
	MOVSS   4(DX), X2
	XORPS   X0, X2
	ADDSS   (DI)(BX*4), X2
	MOVSS   X2, (DI)(BX*4)
	MOVSS   8(DX), X3
	XORPS   X0, X3
	ADDSS   (DI)(R11*4), X3
	MOVSS   X3, (DI)(R11*4)
	MOVSS   12(DX), X4
	XORPS   X0, X4
	ADDSS   (DI)(R12*4), X4
	MOVSS   X4, (DI)(R12*4)
	MOVL    16(SI), AX
	MOVL    20(SI), BX
	MOVL    24(SI), R11
	MOVL    28(SI), R12
	MOVSS   16(DX), X1
	XORPS   X0, X1
	ADDSS   (DI)(AX*4), X1
	MOVSS   X1, (DI)(AX*4)
	MOVSS   20(DX), X2
	XORPS   X0, X2
	ADDSS   (DI)(BX*4), X2
	MOVSS   X2, (DI)(BX*4)
	MOVSS   24(DX), X3
	XORPS   X0, X3
	ADDSS   (DI)(R11*4), X3
	MOVSS   X3, (DI)(R11*4)
	MOVSS   28(DX), X4
	XORPS   X0, X4
	ADDSS   (DI)(R12*4), X4
	MOVSS   X4, (DI)(R12*4)
	MOVL    32(SI), AX
	MOVL    36(SI), BX
	MOVL    40(SI), R11
	MOVL    44(SI), R12
	MOVSS   32(DX), X1
	XORPS   X0, X1
	ADDSS   (DI)(AX*4), X1
	MOVSS   X1, (DI)(AX*4)
	MOVSS   36(DX), X2
	XORPS   X0, X2
	ADDSS   (DI)(BX*4), X2
	MOVSS   X2, (DI)(BX*4)
	MOVSS   40(DX), X3
	XORPS   X0, X3
	ADDSS   (DI)(R11*4), X3
	MOVSS   X3, (DI)(R11*4)
	MOVSS   44(DX), X4
	XORPS   X0, X4
	ADDSS   (DI)(R12*4), X4
	MOVSS   X4, (DI)(R12*4)
	MOVL    48(SI), AX
	MOVL    52(SI), BX
	MOVL    56(SI), R11
	MOVL    60(SI), R12
	MOVSS   48(DX), X1
	XORPS   X0, X1
	ADDSS   (DI)(AX*4), X1
	MOVSS   X1, (DI)(AX*4)
	MOVSS   52(DX), X2
	XORPS   X0, X2
	ADDSS   (DI)(BX*4), X2
	MOVSS   X2, (DI)(BX*4)
	MOVSS   56(DX), X3
	XORPS   X0, X3
	ADDSS   (DI)(R11*4), X3
	MOVSS   X3, (DI)(R11*4)
	MOVSS   60(DX), X4
	XORPS   X0, X4
	ADDSS   (DI)(R12*4), X4
	MOVSS   X4, (DI)(R12*4)
	ADDQ    $64, SI
	ADDQ    $64, DX
	SUBQ    $16, CX
	JMP     loop16

tail: // for the last len(rows) % 16 entries
	TESTQ   CX, CX
	JEQ     done

tail1:
	MOVL    (SI), AX
	MOVSS   (DX), X1
	XORPS   X0, X1
	ADDSS   (DI)(AX*4), X1
	MOVSS   X1, (DI)(AX*4)
	ADDQ    $4, SI
	ADDQ    $4, DX
	DECQ    CX
	JNE     tail1

done:
	RET
