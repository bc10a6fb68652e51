// C++ harness for the ReckOn RTL (Frenkel & Indiveri, ISSCC 2022; released Verilog, Solderpad 2.1) under
// Verilator without --timing. It drives the clock from C++ and replays the stimulus protocol of the
// release's src/tbench.sv (the cue-accumulation testbench: configuration registers, ticks, AER events,
// target, SAMPLE, output handshake) cycle by cycle, with optional backdoor initialisation of the SRAMs
// and per-tick dumps of the chip's state. See README.md beside this file.
// This harness is part of chiplearn (GPL-2.0-or-later); the RTL it drives is not, and is never copied here.
#include "Vreckon.h"
#include "Vreckon___024root.h"
#include "verilated.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static Vreckon* top;
static Vreckon___024root* R;
static uint64_t cycles = 0;
static int SCK_HALF = 3;  // SPI SCK half period in CLK cycles (TB: 2.5)

static FILE* dumpf = nullptr;
// Network size, read from the configuration (SPI_NUM_* = N - 1) so that other sizes can be run.
static int n_inp = 40, n_rec = 100, n_out = 2;
static bool dump_traces = false;
static std::vector<uint8_t> spikes_at_sdone(256);
static uint8_t prev_state = 0;
static long spike_count = 0, eprop_ticks = 0;
static uint64_t state_hist[8][4];

#define RS(x) R->reckon__DOT__srnn_0__DOT__##x

static inline int getbit(const VlWide<8>& w, int i) { return (w[i >> 5] >> (i & 31)) & 1; }
static inline uint32_t bits128(const VlWide<4>& w, int lo, int n) {
    // extract n (<=32) bits starting at lo from a 128-bit word
    uint64_t v = w[lo >> 5];
    if ((lo >> 5) < 3) v |= (uint64_t)w[(lo >> 5) + 1] << 32;
    v >>= (lo & 31);
    return (uint32_t)(v & ((n == 32) ? 0xffffffffull : ((1ull << n) - 1)));
}

static inline void cyc() {
    top->CLK_EXT = 1;
    top->eval();
    top->CLK_EXT = 0;
    top->eval();
    cycles++;
    uint8_t st = RS(state);
    state_hist[st & 7][RS(state_evt) & 3]++;
    if (st == 3 && prev_state != 3) {  // entering SDONE: capture spikes generated in STEP
        for (int j = 0; j < 256; j++) {
            spikes_at_sdone[j] = getbit(RS(neur_z), j);
            spike_count += spikes_at_sdone[j];
        }
    }
    if (st == 6 && prev_state != 6) eprop_ticks++;
    prev_state = st;
}
static inline void cycN(int n) {
    while (n-- > 0) cyc();
}

// ---------------- SPI ----------------
static void spi_word(uint32_t v) {
    for (int i = 0; i < 32; i++) {
        top->MOSI = (v >> (31 - i)) & 1;
        top->eval();
        cycN(SCK_HALF);
        top->SCK = 1;
        top->eval();
        cycN(SCK_HALF);
        top->SCK = 0;
        top->eval();
    }
}
static void spi_send(uint32_t addr, uint32_t data) {
    spi_word(addr);
    spi_word(data);
}
static uint32_t A_conf(uint32_t a) { return (0u << 28) | (1u << 16) | a; }
static void conf(uint32_t a, uint32_t v) { spi_send(A_conf(a), v); }

// ---------------- AER ----------------
static void aer_send(uint8_t addr) {
    while (top->AERIN_ACK) cyc();
    top->AERIN_ADDR = addr;
    top->eval();
    top->AERIN_REQ = 1;
    top->eval();
    while (!top->AERIN_ACK) cyc();
    top->AERIN_REQ = 0;
    top->eval();
}

// ---------------- dump ----------------
static long tick_global = 0;
static void dump_tick(int sample, int tick) {
    if (!dumpf) return;
    fprintf(dumpf, "S %d T %d st %d |", sample, tick, RS(state));
    int nrec = n_rec;
    fprintf(dumpf, " u");
    for (int j = 0; j < nrec; j++) {
        const VlWide<4>& w = RS(neurons__DOT__SRAM)[j >> 1];
        int16_t u = getbit(RS(neur_dirty), j) ? (int16_t)bits128(w, 50 * (j & 1), 16) : 0;
        fprintf(dumpf, " %d", u);
    }
    if (dump_traces) {
        const char* nm[3] = {" | ti", " | tr", " | to"};
        const int off[3] = {16, 28, 40}, wid[3] = {12, 12, 10};
        for (int t = 0; t < 3; t++) {
            fprintf(dumpf, "%s", nm[t]);
            for (int j = 0; j < nrec; j++) {
                const VlWide<4>& w = RS(neurons__DOT__SRAM)[j >> 1];
                unsigned v = getbit(RS(neur_dirty), j) ? bits128(w, 50 * (j & 1) + off[t], wid[t]) : 0;
                fprintf(dumpf, " %u", v);
            }
        }
    }
    fprintf(dumpf, " | o");
    for (int k = 0; k < n_out; k++) fprintf(dumpf, " %d", (int16_t)RS(oneur_u)[k]);
    fprintf(dumpf, " | z");
    for (int j = 0; j < nrec; j++)
        if (spikes_at_sdone[j]) fprintf(dumpf, " %d", j);
    fprintf(dumpf, "\n");
}

// ---------------- tick ----------------
static void tick(bool wait_rdy) {
    top->TIME_TICK = 1;
    top->eval();
    cycN(5);
    top->TIME_TICK = 0;
    top->eval();
    if (!wait_rdy) return;
    uint8_t prev = top->TIMING_ERROR_RDY;
    while (true) {
        cyc();
        uint8_t cur = top->TIMING_ERROR_RDY;
        if (!prev && cur) break;
        prev = cur;
        if (RS(TIMING_ERROR)) { fprintf(stderr, "TIMING ERROR\n"); exit(2); }
    }
    cycN(5);
}

static std::vector<int> read_ints(const std::string& fn) {
    std::vector<int> v;
    FILE* f = fopen(fn.c_str(), "r");
    if (!f) { perror(fn.c_str()); exit(1); }
    int x;
    while (fscanf(f, "%d", &x) == 1) v.push_back(x);
    fclose(f);
    return v;
}

struct Evt { int a, b; };
struct Dataset { int len; std::vector<Evt> ev; };
static Dataset read_ds(const std::string& fn) {
    Dataset d;
    FILE* f = fopen(fn.c_str(), "r");
    if (!f) { perror(fn.c_str()); exit(1); }
    if (fscanf(f, "%d", &d.len) != 1) exit(1);
    int a, b;
    while (fscanf(f, "%d, %d", &a, &b) == 2) d.ev.push_back({a, b});
    fclose(f);
    return d;
}

static void dump_weights(const char* fn) {
    FILE* f = fopen(fn, "w");
    for (int pre = 0; pre < n_inp; pre++)
        for (int post = 0; post < n_rec; post++)
            fprintf(f, "%d\n", (int8_t)bits128(RS(weights_inp__DOT__SRAM)[(pre << 4) | (post >> 4)], 8 * (post & 15), 8));
    for (int pre = 0; pre < n_rec; pre++)
        for (int post = 0; post < n_rec; post++)
            fprintf(f, "%d\n", (int8_t)bits128(RS(weights_rec__DOT__SRAM)[(pre << 4) | (post >> 4)], 8 * (post & 15), 8));
    for (int pre = 0; pre < n_rec; pre++)
        for (int o = 0; o < n_out; o++) fprintf(f, "%d\n", (int8_t)bits128(RS(weights_out__DOT__SRAM)[pre], 8 * o, 8));
    fclose(f);
}

static uint64_t hash_srams() {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](const uint32_t* p, size_t n) { for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ull; } };
    for (int i = 0; i < 4096; i++) mix(&RS(weights_inp__DOT__SRAM)[i][0], 4);
    for (int i = 0; i < 4096; i++) mix(&RS(weights_rec__DOT__SRAM)[i][0], 4);
    for (int i = 0; i < 512; i++) mix(&RS(weights_out__DOT__SRAM)[i][0], 4);
    for (int i = 0; i < 128; i++) mix(&RS(neurons__DOT__SRAM)[i][0], 4);
    return h;
}

int main(int argc, char** argv) {
    std::string data;  // the release's src/data/ folder (--data)
    bool backdoor = false;
    int train_samples = 1, test_samples = 0, epochs = 0;
    const char* dumpfn = nullptr;
    const char* wout_fn = nullptr;
    std::vector<std::pair<uint32_t, uint32_t>> overrides;  // --set ADDR=VALUE, after the testbench's table
    uint32_t alpha_lsb = 0xFEF, threshold = 614;          // neuron word: 12 LSBs of alpha, 16-bit threshold
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data")) data = std::string(argv[++i]) + "/";
        else if (!strcmp(argv[i], "--backdoor")) backdoor = true;
        else if (!strcmp(argv[i], "--train")) train_samples = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--test")) test_samples = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dump")) dumpfn = argv[++i];
        else if (!strcmp(argv[i], "--dump-traces")) dump_traces = true;
        else if (!strcmp(argv[i], "--weights-out")) wout_fn = argv[++i];
        else if (!strcmp(argv[i], "--sck-half")) SCK_HALF = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--set")) {
            uint32_t a, v;
            if (sscanf(argv[++i], "%u=%i", &a, &v) != 2) { fprintf(stderr, "--set wants ADDR=VALUE\n"); return 2; }
            overrides.push_back({a, v});
        } else if (!strcmp(argv[i], "--force-traces")) overrides.push_back({33, 1});
        else if (!strcmp(argv[i], "--alpha-lsb")) alpha_lsb = strtoul(argv[++i], nullptr, 0) & 0xfff;
        else if (!strcmp(argv[i], "--threshold")) threshold = strtoul(argv[++i], nullptr, 0) & 0xffff;
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (data.empty()) { fprintf(stderr, "usage: %s --data RECKON/src/data [--backdoor] [--train N] [--test N] [--epochs N] [--dump FILE [--dump-traces]] [--weights-out FILE]\n", argv[0]); return 2; }
    Verilated::commandArgs(argc, argv);
    top = new Vreckon;
    R = top->rootp;
    if (dumpfn) dumpf = fopen(dumpfn, "w");
    auto t0 = std::chrono::steady_clock::now();
    auto secs = [&]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

    // ---- reset ----
    top->CLK_EXT = 0; top->CLK_INT_EN = 0; top->RST = 0; top->SCK = 0; top->MOSI = 0;
    top->AERIN_ADDR = 0; top->AERIN_REQ = 0; top->AERIN_TAR_EN = 0; top->TARGET_VALID = 0;
    top->INFER_ACC = 0; top->SAMPLE = 0; top->TIME_TICK = 0; top->OUT_ACK = 0;
    top->eval();
    cycN(2);
    top->RST = 1; top->eval(); cycN(3);
    top->RST = 0; top->eval(); cycN(3);

    // ---- configuration registers (SPI, as in tbench.sv / tbench.h) ----
    const uint32_t cfg[][2] = {
        {0, 1}, {1, 0}, {2, 0}, {8, 0}, {9, 0}, {10, 0}, {11, 1}, {12, 3}, {13, 3}, {14, 3}, {15, 3}, {16, 4}, {17, 6},
        {18, 5}, {19, 2}, {20, 3}, {21, 1}, {22, 0}, {23, 0}, {25, 0}, {26, 1}, {27, 0}, {30, 0}, {31, 1}, {32, 0}, {33, 0},
        {64, 0}, {65, 0}, {66, 0}, {67, 0}, {68, 0}, {69, 0x79}, {70, 205}, {71, 205}, {72, 205}, {73, 205},
        {74, 0}, {75, 0}, {76, 0}, {77, 0}, {78, 1}, {79, 0}, {80, 8}, {81, 0}, {82, 8}, {83, 0}, {84, 14},
        {85, 0xF0F0}, {86, 0xF1F1}, {87, 0xF2F2}, {88, 0x3F3FF3F3}, {89, 0xF4F4}, {90, 0x3F5FF5F5}, {91, 0x3F6FF6F6},
        {92, 0x3F7FF7F7}, {93, 0x00FF0}, {94, 39}, {95, 99}, {96, 1}, {98, 160}, {99, 0}, {100, 10}, {101, 0},
        {102, 10}, {103, 0}, {104, 0}};
    for (auto& c : cfg) conf(c[0], c[1]);
    for (auto& c : overrides) {
        conf(c.first, c.second);
        if (c.first == 94) n_inp = (c.second & 0xff) + 1;
        if (c.first == 95) n_rec = (c.second & 0xff) + 1;
        if (c.first == 96) n_out = (c.second & 0xf) + 1;
    }
    conf(0, 0);
    cycN(50);
    conf(0, 1);  // enter programming phase
    double t_cfg = secs();
    uint64_t c_cfg = cycles;

    // ---- weights + neurons ----
    std::vector<int> winp = read_ints(data + "init_rand_weights_inp_cueAcc.dat");
    std::vector<int> wrec = read_ints(data + "init_rand_weights_rec_cueAcc.dat");
    std::vector<int> wout = read_ints(data + "init_rand_weights_out_cueAcc.dat");
    if ((int)winp.size() != n_inp * n_rec || (int)wrec.size() != n_rec * n_rec || (int)wout.size() != n_rec * n_out) {
        fprintf(stderr, "weight files do not match %d-%d-%d\n", n_inp, n_rec, n_out);
        return 2;
    }
    if (!backdoor && (n_inp != 40 || n_rec != 100 || n_out != 2)) { fprintf(stderr, "other sizes need --backdoor\n"); return 2; }
    if (!backdoor) {
        int p = 0;
        for (int i = 0; i < 40; i++) {
            spi_word((3u << 28) | (25u << 16) | (i << 6));
            for (int j = 0; j < 25; j++) {
                uint32_t v = 0;
                for (int k = 0; k < 4; k++) v |= (uint32_t)(winp[p++] & 0xff) << (8 * k);
                spi_word(v);
            }
        }
        p = 0;
        for (int i = 0; i < 100; i++) {
            spi_word((4u << 28) | (25u << 16) | (i << 6));
            for (int j = 0; j < 25; j++) {
                uint32_t v = 0;
                for (int k = 0; k < 4; k++) v |= (uint32_t)(wrec[p++] & 0xff) << (8 * k);
                spi_word(v);
            }
        }
        p = 0;
        for (int i = 0; i < 100; i++) {
            uint32_t v = 0;
            for (int k = 0; k < 2; k++) v |= (uint32_t)(wout[p++] & 0xff) << (8 * k);
            spi_send((5u << 28) | (1u << 16) | (i << 2), v);
        }
        cycN(50);
        // neurons: {12'hFEF, 16'd614, zeros}
        uint32_t w128[4] = {0, 0, 0, 0};
        w128[3] = (alpha_lsb << 20) | (threshold << 4);
        spi_word((1u << 28) | (400u << 16) | 0);
        for (int i = 0; i < 100; i++)
            for (int j = 0; j < 4; j++) spi_word(w128[j]);
    } else {
        for (int i = 0; i < n_inp; i++)
            for (int j = 0; j < n_rec; j++) {
                auto& w = RS(weights_inp__DOT__SRAM)[(i << 4) | (j >> 4)];
                int b = 8 * (j & 15);
                w[b >> 5] = (w[b >> 5] & ~(0xffu << (b & 31))) | ((uint32_t)(winp[i * n_rec + j] & 0xff) << (b & 31));
            }
        for (int i = 0; i < n_rec; i++)
            for (int j = 0; j < n_rec; j++) {
                auto& w = RS(weights_rec__DOT__SRAM)[(i << 4) | (j >> 4)];
                int b = 8 * (j & 15);
                w[b >> 5] = (w[b >> 5] & ~(0xffu << (b & 31))) | ((uint32_t)(wrec[i * n_rec + j] & 0xff) << (b & 31));
            }
        for (int i = 0; i < n_rec; i++)
            for (int o = 0; o < n_out; o++) {
                auto& w = RS(weights_out__DOT__SRAM)[i];
                w[o >> 2] = (w[o >> 2] & ~(0xffu << (8 * (o & 3)))) | ((uint32_t)(wout[i * n_out + o] & 0xff) << (8 * (o & 3)));
            }
        for (int i = 0; i < 128; i++) {
            auto& w = RS(neurons__DOT__SRAM)[i];
            w[0] = w[1] = w[2] = 0;
            w[3] = (alpha_lsb << 20) | (threshold << 4);
        }
    }
    conf(0, 0);
    cycN(50);
    double t_init = secs();
    uint64_t c_init = cycles;
    fprintf(stderr, "config regs: %llu cycles %.3f s; weights+neurons (%s): %llu cycles %.3f s; SRAM hash %016llx\n",
            (unsigned long long)c_cfg, t_cfg, backdoor ? "backdoor" : "SPI", (unsigned long long)(c_init - c_cfg),
            t_init - t_cfg, (unsigned long long)hash_srams());

    Dataset tr = read_ds(data + "dataset_cueAcc_train.dat");
    Dataset te = read_ds(data + "dataset_cueAcc_test.dat");

    // schedule: list of (phase test?, nsamples)
    std::vector<std::pair<int, int>> sched;
    if (epochs > 0) {
        for (int e = 0; e < epochs; e++) { sched.push_back({0, 50}); sched.push_back({1, 50}); }
    } else {
        if (train_samples) sched.push_back({0, train_samples});
        if (test_samples) sched.push_back({1, test_samples});
    }
    int phase_idx = 0;
    for (auto& ph : sched) {
        int test = ph.first;
        conf(0, 1);
        conf(9, test ? 0 : 7);
        conf(0, 0);
        cycN(50);
        Dataset& ds = test ? te : tr;
        size_t ei = 0;
        int correct = 0;
        for (int s = 0; s < ph.second && s < ds.len; s++) {
            double ts = secs();
            uint64_t cs = cycles;
            long sp0 = spike_count, ep0 = eprop_ticks;
            int curr_tick = 0, target = -1;
            top->SAMPLE = 1; top->eval();
            cycN(5);
            while (true) {
                Evt e = ds.ev[ei++];
                if (e.a == -2) {
                    target = e.b;
                    while (curr_tick < 2100) {
                        tick(true);
                        dump_tick(s, curr_tick);
                        curr_tick++;
                    }
                    if (!test) {
                        top->AERIN_TAR_EN = 1; top->eval();
                        aer_send(target & 0xff);
                        cycN(10);
                        top->AERIN_TAR_EN = 0; top->eval();
                        cycN(5);
                        top->TARGET_VALID = 1; top->eval();
                    }
                    top->INFER_ACC = 1; top->eval();
                    cycN(5);
                    e = ds.ev[ei++];
                }
                bool done = false;
                while (curr_tick < e.b) {
                    if (curr_tick == 2249) { top->SAMPLE = 0; top->eval(); cycN(5); }
                    if (curr_tick == 2249) { tick(false); done = true; break; }
                    tick(true);
                    dump_tick(s, curr_tick);
                    curr_tick++;
                }
                if (e.a == -1) break;
                (void)done;
                aer_send(e.a & 0xff);
                cycN(5);
            }
            while (!top->OUT_REQ) cycN(5);
            int inference = top->OUT_DATA & 0xf;
            if (inference == (target & 0xf)) correct++;
            top->OUT_ACK = 1; top->eval();
            while (top->OUT_REQ) cycN(5);
            top->OUT_ACK = 0; top->eval();
            cycN(50);
            top->TARGET_VALID = 0; top->INFER_ACC = 0; top->eval();
            cycN(50);
            double dt = secs() - ts;
            uint64_t dc = cycles - cs;
            fprintf(stderr, "%s sample %2d: inference %d label %d | %llu cycles, %.3f s wall, %.0f cycles/s, %.1f sim-ms/s (2250 ticks), spikes %ld, eprop ticks %ld\n",
                    test ? "TEST " : "TRAIN", s, inference, target, (unsigned long long)dc, dt, dc / dt, 2250.0 / dt,
                    spike_count - sp0, eprop_ticks - ep0);
        }
        fprintf(stderr, "phase %d (%s): %d/%d correct; SRAM hash %016llx; elapsed %.1f s\n", phase_idx++, test ? "test" : "train",
                correct, ph.second, (unsigned long long)hash_srams(), secs());
    }
    if (wout_fn) dump_weights(wout_fn);
    {
        const char* sn[8] = {"IDLE", "PROP", "STEP", "SDONE", "GET_TAR", "CONFIG", "EPROP", "SEND"};
        const char* en[4] = {"WAIT", "CNT", "EVT", "SUPP"};
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 4; b++)
                if (state_hist[a][b]) fprintf(stderr, "  cycles in %s/%s: %llu (%.1f%%)\n", sn[a], en[b], (unsigned long long)state_hist[a][b], 100.0 * state_hist[a][b] / cycles);
    }
    fprintf(stderr, "TOTAL: %llu cycles, %.2f s wall, %.0f cycles/s\n", (unsigned long long)cycles, secs(), cycles / secs());
    if (dumpf) fclose(dumpf);
    top->final();
    delete top;
    return 0;
}
