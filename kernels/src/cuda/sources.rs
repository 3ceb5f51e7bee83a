//! The CUDA C++ sources in `kernels/cuda/`, grouped into the NVRTC programs the backend
//! compiles, and the same text assembled for the CPU emulator.

/// One source file, by name, embedded in the binary.
type Source = (&'static str, &'static str);

const PRELUDE: Source = ("prelude.cuh", include_str!("../../cuda/prelude.cuh"));
const FIELD: Source = ("field.cuh", include_str!("../../cuda/field.cuh"));
const CURVE: Source = ("curve.cuh", include_str!("../../cuda/curve.cuh"));
const SCAN: Source = ("scan.cu", include_str!("../../cuda/scan.cu"));
const MSM_SORT: Source = ("msm_sort.cu", include_str!("../../cuda/msm_sort.cu"));
const MSM_SUM: Source = ("msm_sum.cu", include_str!("../../cuda/msm_sum.cu"));
const NTT: Source = ("ntt.cu", include_str!("../../cuda/ntt.cu"));
const EMULATE: Source = (
    "emulate.hpp",
    include_str!("../../cuda/emulate/emulate.hpp"),
);

/// The NVRTC programs; each is compiled once per process, when a kernel in it is first needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Program {
    /// Exclusive prefix sums.
    Scan,
    /// MSM digits, counting sort and segment counts (curve-independent).
    MsmSort,
    /// MSM bucket sums and reduction over G1.
    MsmG1,
    /// MSM bucket sums and reduction over G2.
    MsmG2,
    /// The NTT passes and the final reordering.
    Ntt,
}

impl Program {
    /// Every program.
    pub const ALL: [Program; 5] = [
        Program::Scan,
        Program::MsmSort,
        Program::MsmG1,
        Program::MsmG2,
        Program::Ntt,
    ];

    /// A short name (also the NVRTC program name).
    pub fn name(self) -> &'static str {
        match self {
            Program::Scan => "scan",
            Program::MsmSort => "msm_sort",
            Program::MsmG1 => "msm_g1",
            Program::MsmG2 => "msm_g2",
            Program::Ntt => "ntt",
        }
    }

    fn files(self) -> &'static [Source] {
        match self {
            Program::Scan => &[PRELUDE, SCAN],
            Program::MsmSort => &[PRELUDE, FIELD, MSM_SORT],
            Program::MsmG1 | Program::MsmG2 => &[PRELUDE, FIELD, CURVE, MSM_SUM],
            Program::Ntt => &[PRELUDE, FIELD, NTT],
        }
    }

    /// Preprocessor definitions passed to NVRTC.
    pub fn defines(self) -> &'static [&'static str] {
        match self {
            Program::MsmG1 => &["-DSHEAF_CURVE_G1"],
            Program::MsmG2 => &["-DSHEAF_CURVE_G2"],
            _ => &[],
        }
    }

    /// The kernels (`extern "C"` names) the program defines.
    pub fn kernels(self) -> &'static [&'static str] {
        match self {
            Program::Scan => &["scan_blocks", "scan_add"],
            Program::MsmSort => &["msm_digits", "msm_scatter", "msm_segments"],
            Program::MsmG1 => &[
                "msm_accumulate_affine_g1",
                "msm_accumulate_xyzz_g1",
                "msm_reduce_g1",
            ],
            Program::MsmG2 => &[
                "msm_accumulate_affine_g2",
                "msm_accumulate_xyzz_g2",
                "msm_reduce_g2",
            ],
            Program::Ntt => &["ntt_pass", "ntt_finish"],
        }
    }

    /// The program's source: its files in order, each preceded by a `#line` directive so
    /// compiler messages name the file and line in `kernels/cuda/`.
    pub fn source(self) -> String {
        assemble(self.files())
    }
}

fn assemble(files: &[Source]) -> String {
    let mut out = String::new();
    for (name, text) in files {
        out.push_str(&format!("#line 1 \"{name}\"\n"));
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The C++ translation unit of the CPU emulator: `emulate.hpp` and every kernel source, to be
/// compiled with a host C++20 compiler into a shared library (see [`super::emulator`]).
pub fn emulator_source() -> String {
    assemble(&[EMULATE, PRELUDE, FIELD, CURVE, SCAN, MSM_SORT, MSM_SUM, NTT])
}
