pragma circom 2.1.0;

// One public signal: the product c = a·b of two private factors.
template Multiplier() {
    signal input a;
    signal input b;
    signal output c;
    c <== a * b;
}

component main = Multiplier();
