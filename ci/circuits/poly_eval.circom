pragma circom 2.1.0;

// Eight public signals: [y[0..4], x[0..4]]. Evaluates a private polynomial of degree d - 1
// (coefficients c, lowest first) at m public points x (Horner's rule) and outputs the values y.
// snarkjs lists outputs before public inputs.
template PolyEval(d, m) {
    signal input c[d];
    signal input x[m];
    signal output y[m];
    signal acc[m][d];
    for (var j = 0; j < m; j++) {
        acc[j][0] <== c[d - 1];
        for (var i = 1; i < d; i++) {
            acc[j][i] <== acc[j][i - 1] * x[j] + c[d - 1 - i];
        }
        y[j] <== acc[j][d - 1];
    }
}

component main {public [x]} = PolyEval(4, 4);
