// Compiles sheaf's contracts with the pinned solc-js of ci/js and writes the artifacts the Rust
// code embeds: contracts/out/SheafAnchor.{abi.json,bin} and, as the gas baseline of
// `compare gas`, the snarkjs Groth16 verifier of every fixture key
// (aggregator/testdata/snarkjs/<circuit>/verification_key.json), rendered from snarkjs's own
// template exactly as `snarkjs zkey export solidityverifier` renders it, compiled to
// contracts/out/snarkjs/<circuit>.{abi.json,bin}. With --check nothing is written: it fails (exit 1) if
// a committed artifact differs from what the sources compile to.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const js = path.join(root, "ci", "js", "node_modules");
const solc = require(path.join(js, "solc"));
const ejs = require(path.join(js, "ejs"));

const check = process.argv.includes("--check");
const out = path.join(__dirname, "out");

function compile(name, source, settings) {
    const input = {
        language: "Solidity",
        sources: { [name + ".sol"]: { content: source } },
        settings: {
            ...settings,
            outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
        },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input)));
    const errors = (output.errors || []).filter((e) => e.severity === "error");
    for (const e of output.errors || []) console.error(e.formattedMessage);
    if (errors.length) throw new Error(`${name}: compilation failed`);
    return output.contracts[name + ".sol"];
}

const differences = [];
function emit(file, content) {
    const full = path.join(out, file);
    if (check) {
        const old = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : null;
        if (old !== content) differences.push(path.relative(root, full));
    } else {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
    }
}

console.error(`solc ${solc.version()}`);

// SheafAnchor: the legacy pipeline (its batch loop costs about 900 gas a proof less than
// through via-IR, measured), optimised for many runs, for the Cancun EVM (no opcode newer than
// MCOPY), so it deploys on any chain since March 2024.
const anchorSettings = {
    optimizer: { enabled: true, runs: 100000 },
    evmVersion: "cancun",
};
const anchor = compile("SheafAnchor", fs.readFileSync(path.join(__dirname, "SheafAnchor.sol"), "utf8"), anchorSettings)
    .SheafAnchor;
emit("SheafAnchor.abi.json", JSON.stringify(anchor.abi, null, 2) + "\n");
emit("SheafAnchor.bin", anchor.evm.bytecode.object + "\n");

// snarkjs verifiers (the peer's contract, compiled as its docs suggest: optimiser on, 200 runs).
const template = fs.readFileSync(path.join(js, "snarkjs", "templates", "verifier_groth16.sol.ejs"), "utf8");
const fixtures = path.join(root, "aggregator", "testdata", "snarkjs");
for (const circuit of fs.readdirSync(fixtures).sort()) {
    const vkFile = path.join(fixtures, circuit, "verification_key.json");
    if (!fs.existsSync(vkFile)) continue;
    const vk = JSON.parse(fs.readFileSync(vkFile, "utf8"));
    const source = ejs.render(template, vk);
    const verifier = compile(circuit, source, {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: "cancun",
    }).Groth16Verifier;
    emit(path.join("snarkjs", circuit + ".abi.json"), JSON.stringify(verifier.abi, null, 2) + "\n");
    emit(path.join("snarkjs", circuit + ".bin"), verifier.evm.bytecode.object + "\n");
}
if (check) {
    if (differences.length) {
        console.error("artifacts differ from the sources (run contracts/build.sh):\n  " + differences.join("\n  "));
        process.exit(1);
    }
    console.error("artifacts match the sources");
} else {
    console.error(`wrote ${path.relative(root, out)}`);
}
