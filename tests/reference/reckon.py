"""Independent integer re-implementation of ReckOn's datapath (Frenkel & Indiveri, ISSCC 2022) in numpy
int64, written from the transcription of its released RTL (per-tick order STEP -> EPROP -> PROP, widths,
shifts, rounding and random streams): the oracle for chiplearn's chip mode, checked bit for bit against
the RTL's own dumps in tests/data/reckon/.

Configuration keys are the chip's register names without the SPI_ prefix, in lower case (see CONFIG_KEYS).

One tick t of a sample (the chip starts a sample in event propagation, so tick 0 has no STEP):
  STEP  every neuron: spike = (u >= thr); u <- floor(alpha*u / 2^15) (+1 by stochastic rounding),
        minus thr (or to 0) after a spike; traces leak with the alpha of their index (Q1.15), the output
        trace and the output membranes with kappa (Q1.7).
  EPROP (ticks of the target window) output error, learning signals through the output weights, and
        stochastic +-1 LSB updates of the output, input and recurrent weights, from the state after STEP.
  PROP  presynaptic index by index, input events of tick t and spikes of this STEP: saturating 16-bit
        adds of the shifted weights into the membranes and output membranes; presynaptic traces grow.
"""

import numpy as np

CONFIG_KEYS = (
    "num_inp_neur", "num_rec_neur", "num_out_neur",  # N - 1
    "rst_mode", "do_eprop", "force_traces", "en_stoch_round",
    "fp_loc_winp", "fp_loc_wrec", "fp_loc_wout", "fp_loc_tinp", "fp_loc_trec", "fp_loc_tout",
    "learn_sig_scale", "regul_mode", "regul_w", "regul_f0",
    "regul_k_inp_r", "regul_k_inp_p", "regul_k_rec_r", "regul_k_rec_p", "regul_k_mul",
    "alpha_conf", "kappa", "thr_h", "h", "no_out_act",
    "lr_r_winp", "lr_p_winp", "lr_r_wrec", "lr_p_wrec", "lr_r_wout", "lr_p_wout",
    "seed_inp", "seed_rec", "seed_out", "seed_strnd_neur", "seed_strnd_oneur",
    "seed_strnd_tinp", "seed_strnd_trec", "seed_strnd_tout",
)

# The release testbench's configuration (src/tbench.h), with learning switched on (do_eprop = 0b111).
TESTBENCH = dict(
    num_inp_neur=39, num_rec_neur=99, num_out_neur=1,
    rst_mode=0, do_eprop=0b111, force_traces=0, en_stoch_round=1,
    fp_loc_winp=3, fp_loc_wrec=3, fp_loc_wout=3, fp_loc_tinp=3, fp_loc_trec=4, fp_loc_tout=6,
    learn_sig_scale=5, regul_mode=0b010, regul_w=0b11, regul_f0=160,
    regul_k_inp_r=0, regul_k_inp_p=10, regul_k_rec_r=0, regul_k_rec_p=10, regul_k_mul=0,
    alpha_conf=0, kappa=0x79, thr_h=(205, 205, 205, 205), h=(0, 0, 0, 0, 1), no_out_act=0,
    lr_r_winp=0, lr_p_winp=8, lr_r_wrec=0, lr_p_wrec=8, lr_r_wout=0, lr_p_wout=14,
    seed_inp=0xF0F0, seed_rec=0xF1F1, seed_out=0xF2F2, seed_strnd_neur=0x3F3FF3F3, seed_strnd_oneur=0xF4F4,
    seed_strnd_tinp=0x3F5FF5F5, seed_strnd_trec=0x3F6FF6F6, seed_strnd_tout=0x3F7FF7F7,
)
TESTBENCH_ALPHA_LSB, TESTBENCH_THRESHOLD = 0xFEF, 614


def wrap(x, bits):
    """Two's-complement value of the low `bits` bits of x."""
    x = np.asarray(x, dtype=np.int64) & ((1 << bits) - 1)
    return np.where(x >= 1 << (bits - 1), x - (1 << bits), x)


def sat16_add(a, b):
    """16-bit add that clamps to 0x7FFF / 0x8000 when both operands have the sign the result lost."""
    total = wrap(a + b, 16)
    up = (a >= 0) & (b >= 0) & (total < 0)
    down = (a < 0) & (b < 0) & (total >= 0)
    return np.where(up, 32767, np.where(down, -32768, total))


class ChipLfsr:
    """One of the chip's unfolded LFSRs: a bit stream s with s[i] = s[i-tap] ^ s[i-length], of which each
    enabled clock cycle hands out the next `word_bits` bits (bit b of the word = the b-th of them).

    The stream's first `length` bits come from the seed register r read in `order`:
    s[k] = r[order[k]] ^ s[k-tap] (k >= tap).
    """

    MAX_STRIDE = 1 << 14

    def __init__(self, length, tap, word_bits, seed, order=None):
        order = range(length) if order is None else order
        first = []
        for k, b in enumerate(order):
            first.append(((seed >> b) & 1) ^ (first[k - tap] if k >= tap else 0))
        self.length, self.tap, self.word_bits = length, tap, word_bits
        self._bits = np.array(first, dtype=np.uint8)
        self._pos = 0

    def _extend(self, needed):
        # s[i] = s[i - tap*2^k] ^ s[i - length*2^k] also holds (the feedback polynomial squared k times),
        # so tap*2^k bits at a time come from two slices of what is already known.
        while len(self._bits) - self._pos < needed:
            n = len(self._bits)
            stride = 1
            while 2 * stride * self.length <= n and 2 * stride <= self.MAX_STRIDE:
                stride *= 2
            block = self._bits[n - self.tap * stride:n] ^ self._bits[n - self.length * stride:
                                                                     n - self.length * stride + self.tap * stride]
            keep_from = min(self._pos, n - self.length * self.MAX_STRIDE)
            if keep_from > 0:
                self._bits, self._pos, n = self._bits[keep_from:], self._pos - keep_from, n - keep_from
            self._bits = np.concatenate([self._bits, block])

    def words(self, count, lanes=1):
        """The next `count` words, each split into `lanes` little-endian unsigned lanes: shape (count, lanes)."""
        self._extend(count * self.word_bits)
        bits = self._bits[self._pos:self._pos + count * self.word_bits]
        self._pos += count * self.word_bits
        lane_bits = self.word_bits // lanes
        weights = np.left_shift(np.uint64(1), np.arange(lane_bits, dtype=np.uint64))
        return (bits.reshape(count, lanes, lane_bits).astype(np.uint64) * weights).sum(axis=2).astype(np.int64)


# the output-neuron stochastic-rounding register feeds its stream in this order of its bits
_ONEUR_ORDER = (0, 1, 3, 5, 7, 9, 11, 13, 2, 4, 6, 8, 10, 12, 14)


def stochastic_update(prob, w, en, lr_p, lr_r, rnd, width):
    """ReckOn's stochastic +-1 LSB weight update (module stoch_update): the step is taken when
    min(|prob| << lr_p, all ones) >> lr_r >= rnd (always for the most negative prob), and dropped when it
    would leave the 8-bit range. Returns (new weights, lanes written)."""
    prob = np.asarray(prob, dtype=np.int64)
    ones = (1 << width) - 1
    zero = (prob == 0) | ~en
    most_negative = prob == -(1 << (width - 1))
    magnitude = np.where(zero, 0, np.abs(prob) & ones)
    shifted = magnitude << lr_p
    total = np.where(shifted > ones, ones, shifted) >> lr_r
    written = ~zero & (most_negative | (total >= rnd))
    stepped = w + np.where(prob < 0, -1, 1)
    keep = ~written | (stepped > 127) | (stepped < -128)
    return np.where(keep, w, stepped), written


def pseudo_derivative(u, thr_h, h):
    """The 5-level step function of the membrane: h[0] below thr_h[0], ..., h[4] from thr_h[3] on."""
    level = np.full(np.shape(u), h[4], dtype=np.int64)
    for k in (3, 2, 1, 0):
        level = np.where(u < thr_h[k], h[k], level)
    return level


def output_error(vo, label, en, no_out_act):
    """e = sat16(target - y), y the hard sigmoid clamp((vo + 2048) >> 1, 0, 2048), target 2048 or 0."""
    if no_out_act:
        y = vo
    else:
        y = np.where(vo > 2047, 2048, np.where(vo < -2048, 0, (vo + 2048) >> 1))
    target = np.where(np.arange(len(vo)) == label, 2048, 0)
    return np.where(en, np.clip(target - y, -32768, 32767), 0)


class ReckOn:
    """The chip's state and one sample's worth of ticks. alpha_lsb and threshold are per neuron pair (the
    neuron SRAM word holds one of each for two neurons)."""

    def __init__(self, config, w_inp, w_rec, w_out, alpha_lsb, threshold):
        self.c = dict(config)
        unknown = set(self.c) - set(CONFIG_KEYS)
        if unknown:
            raise ValueError(f"unknown configuration keys {sorted(unknown)}")
        c = self.c
        if (c["regul_mode"] >> 1) == 0b11:
            raise ValueError("regul_mode with both bits 2:1 set (learning outside the target window) is not modelled")
        self.n_inp, self.n_rec, self.n_out = c["num_inp_neur"] + 1, c["num_rec_neur"] + 1, c["num_out_neur"] + 1
        if self.n_inp > self.n_rec or self.n_rec % 2 or self.n_out > self.n_rec:
            raise ValueError("modelled sizes: n_inp <= n_rec, n_out <= n_rec, n_rec even")
        self.w_inp = np.array(w_inp, dtype=np.int64).reshape(self.n_inp, self.n_rec)
        self.w_rec = np.array(w_rec, dtype=np.int64).reshape(self.n_rec, self.n_rec)
        self.w_out = np.array(w_out, dtype=np.int64).reshape(self.n_rec, self.n_out)
        pairs = self.n_rec // 2
        msb = np.array([(c["alpha_conf"] >> p) & 1 for p in range(pairs)])
        self.alpha = np.where(msb == 1, 0x8000, 0x7000) | (np.broadcast_to(alpha_lsb, pairs) & 0xFFF)
        self.thr = wrap(np.broadcast_to(threshold, pairs), 16)
        seeds = lambda key: [(c[key] >> (15 * n)) & 0x7FFF for n in (0, 1)]  # noqa: E731
        self.lfsr_u = [ChipLfsr(15, 1, 15, s) for s in seeds("seed_strnd_neur")]
        self.lfsr_tinp = [ChipLfsr(15, 1, 15, s) for s in seeds("seed_strnd_tinp")]
        self.lfsr_trec = [ChipLfsr(15, 1, 15, s) for s in seeds("seed_strnd_trec")]
        self.lfsr_tout = [ChipLfsr(15, 1, 7, s, _ONEUR_ORDER) for s in seeds("seed_strnd_tout")]
        self.lfsr_vo = ChipLfsr(15, 1, 7, c["seed_strnd_oneur"] & 0x7FFF, _ONEUR_ORDER)
        self.lfsr_winp = ChipLfsr(25, 3, 512, c["seed_inp"] & 0x1FFFFFF)
        self.lfsr_wrec = ChipLfsr(25, 3, 512, c["seed_rec"] & 0x1FFFFFF)
        self.lfsr_wout = ChipLfsr(22, 1, 448, c["seed_out"] & 0x3FFFFF)
        self.reset_state()

    def reset_state(self):
        """A new sample: every membrane, trace and spike reads 0 (the chip's dirty bits)."""
        n = self.n_rec
        self.u, self.ti, self.tr, self.to = (np.zeros(n, dtype=np.int64) for _ in range(4))
        self.vo = np.zeros(self.n_out, dtype=np.int64)
        self.z = np.zeros(n, dtype=bool)
        self.started = False

    # ---- STEP ----
    def _leak(self, value, factor, frac_bits, value_bits, rand, stochastic):
        """floor(value*factor / 2^frac_bits) kept in value_bits bits, +1 when the dropped fraction >= rand
        and the kept part is not zero (value_bits=16: signed)."""
        product = value * factor
        kept = (product >> frac_bits) & ((1 << value_bits) - 1)
        up = stochastic & ((product & ((1 << frac_bits) - 1)) >= rand) & (kept != 0)
        result = (kept + up) & ((1 << value_bits) - 1)
        return wrap(result, 16) if value_bits == 16 else result

    def step(self):
        c = self.c
        stoch = bool(c["en_stoch_round"])
        n, pairs = self.n_rec, self.n_rec // 2
        alpha = np.repeat(self.alpha, 2)
        thr = np.repeat(self.thr, 2)
        leaky = alpha != 0x8000
        # the membrane streams advance only for pairs that leak; the trace streams for every pair
        rand_u = np.zeros(n, dtype=np.int64)
        if stoch:
            leaky_pairs = np.flatnonzero(self.alpha != 0x8000)
            for lane in (0, 1):
                rand_u[2 * leaky_pairs + lane] = self.lfsr_u[lane].words(len(leaky_pairs))[:, 0]
        rand = {}
        for name, streams in (("ti", self.lfsr_tinp), ("tr", self.lfsr_trec), ("to", self.lfsr_tout)):
            r = np.zeros(n, dtype=np.int64)
            if stoch:
                for lane in (0, 1):
                    r[lane::2] = streams[lane].words(pairs)[:, 0]
            rand[name] = r
        spikes = self.u >= thr
        leaked = self._leak(self.u, alpha, 15, 16, rand_u, stoch & leaky)
        reset = 0 if c["rst_mode"] else wrap(leaked - thr, 16)
        self.u = np.where(spikes, reset, leaked)
        self.ti = self._leak(self.ti, alpha, 15, 12, rand["ti"], stoch & leaky)
        self.tr = self._leak(self.tr, alpha, 15, 12, rand["tr"], stoch & leaky)
        kappa_leaks = c["kappa"] != 0x80
        self.to = self._leak(self.to, c["kappa"], 7, 10, rand["to"], stoch & kappa_leaks)
        # output neurons leak one per cycle of the first 16 cycles of the step, one stream word each
        steps = min(16, n)
        rand_vo = self.lfsr_vo.words(steps)[:, 0] if stoch and kappa_leaks else np.zeros(steps, dtype=np.int64)
        self.vo = self._leak(self.vo, c["kappa"], 7, 16, rand_vo[:self.n_out], stoch & kappa_leaks)
        self.z = spikes

    # ---- EPROP ----
    def eprop(self, label):
        c = self.c
        do = c["do_eprop"]
        n_rec, n_out = self.n_rec, self.n_out
        blocks = (n_rec - 1) // 16 + 1
        posts = np.arange(16 * blocks)
        # lanes beyond the last neuron see the last neuron pair the chip read (posts are read in pairs)
        last_pair = (n_rec - 1) // 2
        source = np.where(posts < n_rec, posts, 2 * last_pair + (posts & 1))
        e = output_error(self.vo, label, np.ones(n_out, dtype=bool), c["no_out_act"])
        h = pseudo_derivative(self.u[source], c["thr_h"], c["h"])
        trace_reg = np.maximum(0, (self.tr[source] >> c["fp_loc_trec"]) - c["regul_f0"]) if c["regul_mode"] \
            else np.zeros(len(posts), dtype=np.int64)
        regul_zero = ~(trace_reg.reshape(blocks, 16) != 0).any(axis=1) if c["regul_mode"] else np.ones(blocks, bool)
        # learning signals from the output weights before this tick's update
        if do & 0b011:
            psum = wrap(self.w_out @ e, 28)
            scaled = psum << c["learn_sig_scale"]
            fits = (scaled >= -(1 << 27)) & (scaled < (1 << 27))
            L = np.where(fits, scaled >> 12, np.where(psum < 0, -32768, 32767))
        else:
            L = np.zeros(n_rec, dtype=np.int64)
        L = np.concatenate([L, np.zeros(len(posts) - n_rec, dtype=np.int64)])
        # output weights: one stream word per post whose output trace is not zero after the shift
        if do & 0b100:
            tout = self.to >> c["fp_loc_tout"]
            rows = np.flatnonzero(tout != 0)
            rnd = self.lfsr_wout.words(len(rows), 16)[:, :n_out]
            prob = wrap(e[None, :] * tout[rows, None], 28)
            self.w_out[rows], _ = stochastic_update(prob, self.w_out[rows], np.ones_like(prob, bool),
                                                     c["lr_p_wout"], c["lr_r_wout"], rnd, 28)
        for kind in ("inp", "rec"):
            if not do & (1 if kind == "inp" else 2):
                continue
            w = self.w_inp if kind == "inp" else self.w_rec
            trace = (self.ti if kind == "inp" else self.tr) >> c[f"fp_loc_t{kind}"]
            n_pre = len(w)
            regul = bool(c["regul_mode"]) and bool(c["regul_w"] & (1 if kind == "inp" else 2))
            # (block, pre) words in the chip's order: block after block, presynaptic index inside
            block_of, pre_of = np.divmod(np.arange(blocks * n_pre), n_pre)
            active = ~((trace[pre_of] == 0) & regul_zero[block_of])
            block_of, pre_of = block_of[active], pre_of[active]
            rnd = getattr(self, f"lfsr_w{kind}").words(len(pre_of), 16)
            lane_post = 16 * block_of[:, None] + np.arange(16)[None, :]
            h_l, L_l, reg_l = h[lane_post], L[lane_post], trace_reg[lane_post]
            en = (h_l != 0) | regul
            prob_e = np.where(h_l != 0, wrap(L_l * trace[pre_of][:, None] * h_l, 32), 0)
            mode_mul = bool(c["regul_mode"] & 1) and bool(c["regul_w"])
            if mode_mul:
                m = reg_l >> c["regul_k_mul"]
                scale = np.where(m >> 4 != 0, 0, 16 - (m & 0xF))
            else:
                scale = 16
            prob_k = wrap(prob_e * np.where(prob_e < 0, 16, scale), 37)
            additive = bool(c["regul_mode"] & 0b010) and bool(c["regul_w"] & (1 if kind == "inp" else 2))
            regi = (((reg_l << c[f"regul_k_{kind}_p"]) & 0xFFFFFFFF) >> c[f"regul_k_{kind}_r"]) if additive else 0
            prob_s = wrap(wrap(prob_k >> 4, 32) - regi, 32)
            prob = np.where((prob_s >= 0) & (((prob_k >> 31) & 1) == 1), -(1 << 31), prob_s)
            valid = lane_post < n_rec
            old = np.zeros(lane_post.shape, dtype=np.int64)
            old[valid] = w[np.broadcast_to(pre_of[:, None], lane_post.shape)[valid], lane_post[valid]]
            new, written = stochastic_update(prob, old, en, c[f"lr_p_w{kind}"], c[f"lr_r_w{kind}"], rnd, 32)
            if kind == "rec":
                new = np.where(written & (lane_post == pre_of[:, None]), 0, new)
            rows = np.broadcast_to(pre_of[:, None], lane_post.shape)
            w[rows[valid], lane_post[valid]] = new[valid]

    # ---- PROP ----
    def prop(self, input_events):
        c = self.c
        active_inp = np.zeros(self.n_rec, dtype=bool)
        active_inp[[i for i in input_events if i < self.n_inp]] = True
        grow_inp = bool(c["do_eprop"] & 1 or c["force_traces"])
        grow_rec = bool(c["do_eprop"] & 2 or c["force_traces"])
        grow_out = bool(c["do_eprop"] & 4 or c["force_traces"])
        for i in np.flatnonzero(active_inp | self.z):
            if self.z[i]:
                self.vo = sat16_add(self.vo, wrap(self.w_out[i] << c["fp_loc_wout"], 16))
            from_inp = wrap(self.w_inp[i] << c["fp_loc_winp"], 16) if active_inp[i] else 0
            from_rec = wrap(self.w_rec[i] << c["fp_loc_wrec"], 16) if self.z[i] else 0
            self.u = sat16_add(self.u, sat16_add(np.zeros(self.n_rec, np.int64) + from_inp, from_rec))
            if active_inp[i] and grow_inp:
                self.ti[i] = min(self.ti[i] + (8 << c["fp_loc_tinp"]), 0xFFF)
            if self.z[i] and grow_rec:
                self.tr[i] = min(self.tr[i] + (8 << c["fp_loc_trec"]), 0xFFF)
            if self.z[i] and grow_out:
                self.to[i] = min(self.to[i] + (2 << c["fp_loc_tout"]), 0x3FF)

    def tick(self, input_events, label=None):
        """One tick; label (the target class) is given on ticks of the target window when learning."""
        if self.started:
            self.step()
            if label is not None and self.c["do_eprop"]:
                self.eprop(label)
        else:
            self.z = np.zeros(self.n_rec, dtype=bool)
        self.started = True
        self.prop(input_events)
