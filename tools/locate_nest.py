"""Find the NEST that chiplearn is built against and print what CMake needs to know about it.

Run by CMakeLists.txt with the build's Python. Without arguments it locates the importable ``nest``
package (the PyPI wheel or a NEST installed into the same environment) without importing it; with
``--nest-config PATH`` it asks that NEST's ``nest-config`` (a NEST built from source with CMake).

Output: CMake ``set()`` commands, one per line, for NEST_INCLUDE_DIR, NEST_VERSION, NEST_HAVE_MPI,
NEST_CXX11_ABI (0 or 1: the libstdc++ string ABI of the NEST kernel) and BOOST_INCLUDE_DIR.
"""

import argparse
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys


def fail(message):
    sys.stderr.write(f"chiplearn: {message}\n")
    sys.exit(1)


def from_python_package():
    spec = importlib.util.find_spec("nest")
    if spec is None or spec.origin is None:
        fail(
            "no NEST found: the Python package 'nest' is not importable in the build environment. "
            "Install nest-simulator, or pass -DNEST_CONFIG=/path/to/nest-config for a NEST built with CMake."
        )
    package_dir = os.path.dirname(spec.origin)
    include_dir = os.path.join(package_dir, "include", "nest")
    kernels = sorted(glob.glob(os.path.join(package_dir, "nestkernel_api*.so")))
    return include_dir, kernels


def from_nest_config(nest_config):
    def ask(flag):
        result = subprocess.run([nest_config, flag], capture_output=True, text=True, check=True)
        return result.stdout.strip()

    include_dirs = [item[2:] for item in ask("--includes").split() if item.startswith("-I")]
    include_dirs = [d for d in include_dirs if os.path.isfile(os.path.join(d, "nest_extension_interface.h"))]
    if not include_dirs:
        fail(f"{nest_config} --includes names no folder with NEST's headers (nest_extension_interface.h)")
    prefix = ask("--prefix")
    libdir = ask("--libdir")
    patterns = [os.path.join(prefix, libdir, "**", "*nestkernel*.so*"), os.path.join(prefix, "**", "nestkernel_api*.so")]
    kernels = sorted({path for pattern in patterns for path in glob.glob(pattern, recursive=True)})
    return include_dirs[0], kernels


def config_value(config_h, name):
    match = re.search(rf"^#define {name} (.*)$", config_h, re.MULTILINE)
    return match.group(1).strip().strip('"') if match else None


def kernel_uses_cxx11_abi(kernels):
    """True if NEST's exported C++ API uses libstdc++'s new std::string (std::__cxx11)."""
    nm = shutil.which("nm")
    if nm is None:
        fail("the tool 'nm' (GNU binutils) is needed to read NEST's string ABI; install binutils")
    if not kernels:
        fail("could not find NEST's kernel library (nestkernel_api*.so or libnestkernel*.so) to read its ABI")
    for kernel in kernels:
        symbols = subprocess.run([nm, "-D", "--defined-only", kernel], capture_output=True, text=True).stdout
        if any(line.split()[-1].startswith("_ZN4nest") and "cxx11" in line for line in symbols.splitlines()):
            return True
    return False


def boost_include_dir():
    try:
        import boost_headers
    except ImportError:
        return ""  # the compiler's default search path (e.g. Debian's libboost-dev)
    return boost_headers.get_include()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nest-config", default="")
    args = parser.parse_args()
    include_dir, kernels = from_nest_config(args.nest_config) if args.nest_config else from_python_package()
    config_h_path = os.path.join(include_dir, "config.h")
    if not os.path.isfile(config_h_path):
        fail(f"NEST's headers are missing: {config_h_path} does not exist")
    with open(config_h_path) as stream:
        config_h = stream.read()
    settings = {
        "NEST_INCLUDE_DIR": include_dir,
        "NEST_VERSION": config_value(config_h, "NEST_VERSION") or fail("config.h has no NEST_VERSION"),
        "NEST_HAVE_MPI": "1" if config_value(config_h, "HAVE_MPI") else "0",
        "NEST_CXX11_ABI": "1" if kernel_uses_cxx11_abi(kernels) else "0",
        "BOOST_INCLUDE_DIR": boost_include_dir(),
    }
    for key, value in settings.items():
        print(f'set({key} "{value}")')


if __name__ == "__main__":
    main()
