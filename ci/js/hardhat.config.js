// The loopback Ethereum node that ci/test.sh starts for the JSON-RPC base-layer tests
// (`npx hardhat node` in ci/js). Chain id 31337, every transaction mined at once
// (the tests switch automine off and on through the RPC to hold transactions back).
module.exports = {
    networks: {
        hardhat: {
            chainId: 31337,
            hardfork: "prague",
            mining: { auto: true },
        },
    },
};
