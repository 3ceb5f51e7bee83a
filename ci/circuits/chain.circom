pragma circom 2.1.0;

// Three public signals: [last, sum, k]. From a private seed s, a public step k and n rounds of
// a[i+1] = a[i]² + k, outputs the last value and the sum of all of them. The values wrap
// around r after a few rounds, so the public signals use the full width of the field.
template Chain(n) {
    signal input s;
    signal input k;
    signal output last;
    signal output sum;
    signal a[n + 1];
    signal partial[n + 1];
    a[0] <== s;
    partial[0] <== s;
    for (var i = 0; i < n; i++) {
        a[i + 1] <== a[i] * a[i] + k;
        partial[i + 1] <== partial[i] + a[i + 1];
    }
    last <== a[n];
    sum <== partial[n];
}

component main {public [k]} = Chain(8);
