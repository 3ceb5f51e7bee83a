pragma circom 2.1.0;

// One public signal, like `multiplier` but another circuit: y = x³ + x + 5 for a private x.
// Two circuits with the same number of public signals let the tests check that a valid proof
// of one is rejected under the other's key.
template Cubic() {
    signal input x;
    signal output y;
    signal x2;
    signal x3;
    x2 <== x * x;
    x3 <== x2 * x;
    y <== x3 + x + 5;
}

component main = Cubic();
