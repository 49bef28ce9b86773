//! `cargo xtask split-data PRIMARY SECONDARY ORIGINAL`: after `wasm-split`, moves the
//! constants that only the second module's functions use out of the start-up
//! module's data, into the second module (web/build/split-widget.mjs runs it
//! on the docs widget's split).
//!
//! `wasm-split` moves functions only: every data segment stays in the
//! start-up module, though many constants (lesson texts, the help of tools
//! that no profile ran, their error messages) are read only by functions of
//! the rest. The second module imports the first one's memory, so an active
//! segment in it writes its bytes at their own addresses when it is
//! instantiated, before any of its functions can run; a constant that only
//! those functions reach (directly, or through a pointer in another such
//! constant) is not needed earlier.
//!
//! Which constants the start-up module needs: every address its code names
//! (an `i32.const`, either half of an `i64.const` (a `&str` stored as one
//! 64-bit pointer and length), a load's or store's offset, a global's
//! initial value),
//! counted from [`BEFORE`] bytes ahead of a constant to its end (a base
//! that an index is added to; an address where a constant starts names
//! that one only); LLVM's switch lookup tables whatever names
//! them ([`ALWAYS_KEPT`]); and, transitively, every address written in a
//! needed constant's bytes (vtables, tables of strings), read at every byte
//! offset. A false match only keeps a constant where it was. It takes one
//! data segment per constant, with its symbol's name, to see where each
//! starts and ends and what it is: the widget links with
//! `--no-merge-data-segments` (web/widget/build.rs), and the names are read
//! from the module before the split (they are at the same addresses).
//! Segments that end up next to each other are merged again on both sides.
//!
//! A constant moved wrongly would read as zeros at start, not fail. So the
//! rules are checked against a run: TOUCHED, the bytes every load and store
//! of the profiling run touched (web/build/split-widget.mjs builds its copy
//! with Binaryen's `--instrument-memory`). A touched constant the rules
//! would move stays, and is named in a warning: a use they miss. The docs
//! widget's end-to-end tests check that the example page starts without
//! loading the rest, and the widget's outputs.
//!
//! Not done (left as they are, with the reason printed) when a segment is
//! passive or its offset is not a constant, or when either module has
//! `memory.init` or `data.drop`.

use std::collections::{btree_map, BTreeMap};
use std::ops::Range;

use wasmparser::{DataKind, Operator, Parser, Payload};

use crate::Result;

/// How far before a constant an address named in the code counts as using
/// it (a base the index is added to: `TABLE - 8 * k`, from `TABLE[i - k]`).
/// Not from where a constant starts: that address names the constant (or
/// is the end of the one before); most strings are named so, and counting
/// it as a base too kept every string's neighbours (9 KB of the widget's
/// start-up module gzipped). Not after its end: an end pointer one past a
/// constant comes with a pointer to its start, and counting it, the address
/// where one constant ends and the next starts kept both (10 KB of float
/// parsing tables, for the float formatting table after them).
const BEFORE: u32 = 64;
/// Data symbols always kept (by their name, from the `name` section): LLVM's
/// switch lookup tables, which the code indexes from a base as far before
/// them as the smallest case value times the entry size. One of 5 bytes,
/// named from 18 bytes before it, once moved, read as zeros at start.
const ALWAYS_KEPT: &[&str] = &["switch.table"];

/// A data segment: the address its bytes are written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub offset: u32,
    pub bytes: Vec<u8>,
}

impl Segment {
    fn end(&self) -> u32 {
        self.offset + self.bytes.len() as u32
    }
}

/// What the split of the data did.
#[derive(Debug, PartialEq, Eq)]
pub struct Moved {
    pub primary: Vec<u8>,
    pub secondary: Vec<u8>,
    /// Bytes of constants moved, and in how many segments (before merging).
    pub bytes: usize,
    pub segments: usize,
    /// Bytes of constants the start-up module keeps.
    pub kept_bytes: usize,
    /// Each kept constant and why ([`kept_report`]).
    pub report: String,
    /// Constants the profiling run read or wrote that only that kept (the
    /// rules from the code would have moved them): name, size, address.
    pub missed: Vec<String>,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("split-data: {e}")
}

/// A module's sections (id and byte range, the header included), its
/// active data segments and the addresses its code names.
struct Scanned {
    sections: Vec<(u8, Range<usize>, Option<String>)>,
    data: Vec<Segment>,
    /// The data segments' names (`name` section), by index.
    data_names: BTreeMap<u32, String>,
    /// The functions' names (`name` section): (function index, name).
    function_names: Vec<(u32, String)>,
    /// Imported functions: the first defined one's index.
    imported_functions: u32,
    /// Defined functions (code section entries) seen so far.
    defined_functions: u32,
    addresses: Vec<u32>,
    /// The function (index, imports counted) naming each of `addresses`; `None` for globals.
    named_by: Vec<Option<u32>>,
    /// Why the data cannot be moved, if it cannot.
    unsupported: Option<String>,
    imports_memory: bool,
}

fn scan(wasm: &[u8]) -> Result<Scanned> {
    let mut s = Scanned {
        sections: Vec::new(),
        data: Vec::new(),
        data_names: Default::default(),
        function_names: Vec::new(),
        imported_functions: 0,
        defined_functions: 0,
        addresses: Vec::new(),
        named_by: Vec::new(),
        unsupported: None,
        imports_memory: false,
    };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(err)?;
        if let Some((id, range)) = payload.as_section() {
            let name = match &payload {
                Payload::CustomSection(c) => Some(c.name().to_string()),
                _ => None,
            };
            s.sections.push((id, section_with_header(wasm, range), name));
        }
        match payload {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    match import.map_err(err)?.ty {
                        wasmparser::TypeRef::Memory(_) => s.imports_memory = true,
                        wasmparser::TypeRef::Func(_) => s.imported_functions += 1,
                        _ => {}
                    }
                }
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(reader) = c.as_known() {
                    for sub in reader {
                        match sub.map_err(err)? {
                            wasmparser::Name::Data(map) => {
                                for naming in map {
                                    let naming = naming.map_err(err)?;
                                    s.data_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            wasmparser::Name::Function(map) => {
                                for naming in map {
                                    let naming = naming.map_err(err)?;
                                    s.function_names.push((naming.index, naming.name.to_string()));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    for op in global.map_err(err)?.init_expr.get_operators_reader() {
                        if let Operator::I32Const { value } = op.map_err(err)? {
                            s.addresses.push(value as u32);
                            s.named_by.push(None);
                        }
                    }
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(err)?;
                    let DataKind::Active {
                        memory_index: 0,
                        offset_expr,
                    } = data.kind
                    else {
                        s.unsupported = Some("a data segment is passive or for another memory".into());
                        continue;
                    };
                    let mut ops = offset_expr.get_operators_reader();
                    match ops.read().map_err(err)? {
                        Operator::I32Const { value } => s.data.push(Segment {
                            offset: value as u32,
                            bytes: data.data.to_vec(),
                        }),
                        _ => s.unsupported = Some("a data segment's offset is not a constant".into()),
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let function = Some(s.imported_functions + s.defined_functions);
                s.defined_functions += 1;
                for op in body.get_operators_reader().map_err(err)? {
                    let op = op.map_err(err)?;
                    if let Some(address) = address_of(&op) {
                        s.addresses.push(address);
                        s.named_by.push(function);
                    }
                    // A pointer and a length stored as one i64 (Binaryen and
                    // LLVM join two i32 stores of constants): either half.
                    if let Operator::I64Const { value } = op {
                        s.addresses.extend([value as u32, (value >> 32) as u32]);
                        s.named_by.extend([function, function]);
                    }
                    if matches!(op, Operator::MemoryInit { .. } | Operator::DataDrop { .. }) {
                        s.unsupported = Some("the code uses memory.init or data.drop".into());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// The address an instruction names: a constant, or a load's or store's offset.
fn address_of(op: &Operator) -> Option<u32> {
    use Operator::*;
    match op {
        I32Const { value } => Some(*value as u32),
        I32Load { memarg }
        | I64Load { memarg }
        | F32Load { memarg }
        | F64Load { memarg }
        | I32Load8S { memarg }
        | I32Load8U { memarg }
        | I32Load16S { memarg }
        | I32Load16U { memarg }
        | I64Load8S { memarg }
        | I64Load8U { memarg }
        | I64Load16S { memarg }
        | I64Load16U { memarg }
        | I64Load32S { memarg }
        | I64Load32U { memarg }
        | I32Store { memarg }
        | I64Store { memarg }
        | F32Store { memarg }
        | F64Store { memarg }
        | I32Store8 { memarg }
        | I32Store16 { memarg }
        | I64Store8 { memarg }
        | I64Store16 { memarg }
        | I64Store32 { memarg } => u32::try_from(memarg.offset).ok(),
        _ => None,
    }
}

/// A section's range from its id byte (wasmparser's starts after the size):
/// the size is a LEB128 of 1 to 5 bytes that ends right before the content.
fn section_with_header(wasm: &[u8], content: Range<usize>) -> Range<usize> {
    for len in 1..=5 {
        let Some(start) = content.start.checked_sub(len).filter(|s| *s >= 1) else {
            break;
        };
        if leb_u32(&wasm[start..content.start]) == Some((content.len() as u32, len)) {
            return start - 1..content.end;
        }
    }
    unreachable!("a section's size precedes its content")
}

fn leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for (i, b) in bytes.iter().enumerate().take(5) {
        value |= u32::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn push_leb(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Why the start-up module keeps a segment (what `needed` found first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    /// Kept whatever names it ([`ALWAYS_KEPT`]).
    Always,
    /// An address named by the code (`addresses[i]`).
    Named(usize),
    /// An address written in another kept segment: (that segment, byte offset in it).
    Pointer(usize, usize),
    /// Read or written in the profiling run (`split-data`'s TOUCHED).
    Touched,
}

/// The segments the start-up module needs (indices into `data`, sorted by
/// offset), each with why.
fn needed(data: &[Segment], addresses: &[u32], always: &[usize], touched: &[usize]) -> BTreeMap<usize, Why> {
    let mut marked: BTreeMap<usize, Why> = always.iter().map(|i| (*i, Why::Always)).collect();
    for &i in touched {
        marked.entry(i).or_insert(Why::Touched);
    }
    let mut work: Vec<usize> = marked.keys().copied().collect();
    let mark = |address: u32, why: Why, marked: &mut BTreeMap<usize, Why>, work: &mut Vec<usize>| {
        // The segment holding the address and, unless the address is where
        // a segment starts, those starting up to BEFORE bytes after it (it
        // may be a base ahead of one).
        let first = data.partition_point(|s| s.end() <= address);
        let at_start = data.get(first).is_some_and(|s| s.offset == address);
        let hi = if at_start {
            address
        } else {
            address.saturating_add(BEFORE)
        };
        for (i, s) in data.iter().enumerate().skip(first) {
            if s.offset > hi {
                break;
            }
            if let btree_map::Entry::Vacant(e) = marked.entry(i) {
                e.insert(why);
                work.push(i);
            }
        }
    };
    for (k, &a) in addresses.iter().enumerate() {
        mark(a, Why::Named(k), &mut marked, &mut work);
    }
    let (lo, hi) = match (data.first(), data.iter().map(Segment::end).max()) {
        (Some(first), Some(end)) => (first.offset.saturating_sub(BEFORE), end),
        _ => return marked,
    };
    while let Some(i) = work.pop() {
        let bytes = &data[i].bytes;
        for (at, w) in bytes.windows(4).enumerate() {
            let a = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            if (lo..hi).contains(&a) {
                mark(a, Why::Pointer(i, at), &mut marked, &mut work);
            }
        }
    }
    marked
}

/// What `KAFKAPLAY_SPLIT_DEBUG_DIR`'s `kept-data.txt` says: each kept
/// constant, largest first, with its name and why it is kept: the function
/// that names it (its index in the start-up module) or the kept constant
/// that points to it.
fn kept_report(
    segs: &[Segment],
    names: &[&str],
    keep: &BTreeMap<usize, Why>,
    addresses: &[u32],
    named_by: &[Option<u32>],
) -> String {
    use std::fmt::Write;
    let mut rows: Vec<_> = keep.iter().collect();
    rows.sort_by_key(|(i, _)| std::cmp::Reverse(segs[**i].bytes.len()));
    let mut out = String::new();
    for (i, why) in rows {
        let (seg, name) = (&segs[*i], names[*i]);
        let why = match *why {
            Why::Always => "always kept".to_string(),
            Why::Touched => "read or written in the profiling run".to_string(),
            Why::Named(k) => match named_by[k] {
                Some(f) => format!("named by function {f}: {:#x}", addresses[k]),
                None => format!("named by a global: {:#x}", addresses[k]),
            },
            Why::Pointer(j, at) => format!("pointed to from {:#x}+{at} ({})", segs[j].offset, names[j]),
        };
        let _ = writeln!(out, "{}\t{:#x}\t{}\t{}", seg.bytes.len(), seg.offset, name, why);
    }
    out
}

/// Segments in offset order with those that touch made one. (Not across a
/// gap: a moved constant may fill it, and the rest writes it later.)
fn merged(segments: impl IntoIterator<Item = Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for s in segments {
        match out.last_mut() {
            Some(last) if s.offset == last.end() => last.bytes.extend_from_slice(&s.bytes),
            _ => out.push(s),
        }
    }
    out
}

fn data_section(segments: &[Segment]) -> Vec<u8> {
    let mut content = Vec::new();
    push_leb(&mut content, segments.len() as u32);
    for s in segments {
        content.push(0); // active, memory 0
        content.push(0x41); // i32.const
        let mut v = s.offset as i32 as i64;
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
            content.push(if done { b } else { b | 0x80 });
            if done {
                break;
            }
        }
        content.push(0x0b); // end
        push_leb(&mut content, s.bytes.len() as u32);
        content.extend_from_slice(&s.bytes);
    }
    let mut out = vec![11];
    push_leb(&mut out, content.len() as u32);
    out.extend(content);
    out
}

/// `wasm` with its data section replaced by `data` (added after the code
/// section if it had none), its data count (if any) set to match, and its
/// `name` section dropped (its data names would be wrong).
fn with_data(wasm: &[u8], sections: &[(u8, Range<usize>, Option<String>)], data: &[Segment]) -> Vec<u8> {
    let mut out = wasm[..8].to_vec();
    let new_data = data_section(data);
    let had_data = sections.iter().any(|(id, _, _)| *id == 11);
    for (id, range, name) in sections {
        match (id, name.as_deref()) {
            (11, _) => out.extend_from_slice(&new_data),
            (12, _) => {
                let mut count = Vec::new();
                push_leb(&mut count, data.len() as u32);
                out.push(12);
                push_leb(&mut out, count.len() as u32);
                out.extend(count);
            }
            (0, Some("name")) => {}
            (10, _) if !had_data => {
                out.extend_from_slice(&wasm[range.clone()]);
                out.extend_from_slice(&new_data);
            }
            _ => out.extend_from_slice(&wasm[range.clone()]),
        }
    }
    out
}

/// Moves the data only `secondary` needs out of `primary`, as the module doc
/// says. `Ok(Err(why))` when it cannot, leaving both as they are.
/// `original`: the module `wasm-split` split, with its `name` section (the
/// split's outputs have none: kept, it names every function the two modules
/// import and export from each other), for the data segments' names.
pub fn split(
    primary: &[u8],
    secondary: &[u8],
    original: &[u8],
    touched: &[Range<u32>],
) -> Result<std::result::Result<Moved, String>> {
    let p = scan(primary)?;
    let s = scan(secondary)?;
    let o = scan(original)?;
    if let Some(why) = p.unsupported.or(s.unsupported) {
        return Ok(Err(why));
    }
    if !s.data.is_empty() {
        return Ok(Err("the second module has data of its own".into()));
    }
    if !s.imports_memory {
        return Ok(Err("the second module does not import the memory".into()));
    }
    if !o.data_names.keys().copied().eq(0..o.data.len() as u32) {
        return Ok(Err("the original module's data segments have no names".into()));
    }
    let names: std::collections::HashMap<u32, &str> = o
        .data
        .iter()
        .map(|d| d.offset)
        .zip(o.data_names.values().map(String::as_str))
        .collect();
    let mut data = Vec::new();
    for d in p.data {
        let Some(name) = names.get(&d.offset) else {
            return Ok(Err(format!(
                "no data segment of the original module is at {}",
                d.offset
            )));
        };
        data.push((d, *name));
    }
    data.sort_by_key(|(d, _)| d.offset);
    let (segs, names): (Vec<Segment>, Vec<&str>) = data.into_iter().unzip();
    let always: Vec<usize> = (0..names.len())
        .filter(|i| ALWAYS_KEPT.iter().any(|k| names[*i].contains(k)))
        .collect();
    if segs.windows(2).any(|w| w[0].end() > w[1].offset) {
        return Ok(Err("data segments overlap".into()));
    }
    let by_code = needed(&segs, &p.addresses, &always, &[]);
    // The segments the profiling run read or wrote: every one should be
    // needed by the rules above already; one that is not, is kept too and
    // named (a use the rules miss, which would read zeros at start).
    let touched: Vec<usize> = (0..segs.len())
        .filter(|&i| {
            let s = &segs[i];
            let first = touched.partition_point(|r| r.end <= s.offset);
            touched.get(first).is_some_and(|r| r.start < s.end())
        })
        .collect();
    let missed: Vec<String> = touched
        .iter()
        .filter(|i| !by_code.contains_key(i))
        .map(|&i| format!("{} ({} bytes at {:#x})", names[i], segs[i].bytes.len(), segs[i].offset))
        .collect();
    let keep = if missed.is_empty() {
        by_code
    } else {
        needed(&segs, &p.addresses, &always, &touched)
    };
    let report = kept_report(&segs, &names, &keep, &p.addresses, &p.named_by);
    let segments = segs.len() - keep.len();
    let (mut kept, mut moved) = (Vec::new(), Vec::new());
    for (i, d) in segs.into_iter().enumerate() {
        if keep.contains_key(&i) {
            kept.push(d);
        } else {
            moved.push(d);
        }
    }
    let bytes = moved.iter().map(|s| s.bytes.len()).sum();
    let kept_bytes = kept.iter().map(|s| s.bytes.len()).sum();
    let primary_data = merged(kept);
    let secondary_data = merged(moved);
    let out = Moved {
        primary: with_data(primary, &p.sections, &primary_data),
        secondary: with_data(secondary, &s.sections, &secondary_data),
        bytes,
        segments,
        kept_bytes,
        report,
        missed,
    };
    for (what, wasm) in [("start-up module", &out.primary), ("second module", &out.secondary)] {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(wasm)
            .map_err(|e| err(format!("the rewritten {what} is not valid: {e}")))?;
    }
    Ok(Ok(out))
}

/// The TOUCHED file: one `START END` pair (decimal, END exclusive) a line,
/// sorted and apart, the bytes a profiling run read or wrote.
fn read_touched(text: &str) -> Result<Vec<Range<u32>>> {
    let mut out: Vec<Range<u32>> = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = || err(format!("touched ranges, line {}: {line:?} is not `START END`", n + 1));
        let mut parts = line.split_whitespace().map(str::parse::<u32>);
        let (Some(Ok(start)), Some(Ok(end)), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if start >= end || out.last().is_some_and(|r| r.end > start) {
            return Err(bad());
        }
        out.push(start..end);
    }
    Ok(out)
}

/// `cargo xtask split-data PRIMARY SECONDARY ORIGINAL [TOUCHED]` (the first
/// two rewritten in place). TOUCHED: what the profiling run read and wrote
/// ([`read_touched`]), to check the rules against.
pub fn run(
    primary: &std::path::Path,
    secondary: &std::path::Path,
    original: &std::path::Path,
    touched: Option<&std::path::Path>,
) -> Result<()> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("read {}: {e}", p.display()));
    let (p, s, o) = (read(primary)?, read(secondary)?, read(original)?);
    let touched = match touched {
        Some(path) => read_touched(&String::from_utf8_lossy(&read(path)?))?,
        None => Vec::new(),
    };
    match split(&p, &s, &o, &touched)? {
        Err(why) => println!("split-data: the data stays in the start-up module: {why}"),
        Ok(moved) => {
            std::fs::write(primary, &moved.primary).map_err(|e| format!("write {}: {e}", primary.display()))?;
            std::fs::write(secondary, &moved.secondary).map_err(|e| format!("write {}: {e}", secondary.display()))?;
            if let Some(dir) = std::env::var_os("KAFKAPLAY_SPLIT_DEBUG_DIR") {
                let path = std::path::Path::new(&dir).join("kept-data.txt");
                std::fs::write(&path, &moved.report).map_err(|e| format!("write {}: {e}", path.display()))?;
            }
            println!(
                "split-data: {} bytes of constants ({} segments) moved to the second module; the start-up module keeps {} bytes",
                moved.bytes, moved.segments, moved.kept_bytes
            );
            if !moved.missed.is_empty() {
                println!(
                    "split-data: warning: {} constants the code does not name were read or written in the profiling run, kept for that: {}",
                    moved.missed.len(),
                    moved.missed.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// `cargo xtask split-keep PROFILE WASM PATTERN...`: marks, in a `wasm-split`
/// profile of `WASM`, every function whose name (WASM's `name` section)
/// contains one of the patterns as run, so the split keeps it in the
/// start-up module. For code that a profiling run can hardly reach but a
/// start can: the float formatting fallback (`flt2dec::strategy::dragon`,
/// which some values need and others do not) ran while a widget started in
/// a test, and loaded the rest on the spot.
///
/// The profile is `wasm-split`'s: the module's hash (8 bytes), then one
/// little-endian u32 per defined function, in order, non-zero if it ran.
pub fn keep(profile_path: &std::path::Path, wasm_path: &std::path::Path, patterns: &[String]) -> Result<()> {
    let wasm = std::fs::read(wasm_path).map_err(|e| format!("read {}: {e}", wasm_path.display()))?;
    let mut profile = std::fs::read(profile_path).map_err(|e| format!("read {}: {e}", profile_path.display()))?;
    let Scanned {
        function_names: names,
        imported_functions: imported,
        ..
    } = scan(&wasm)?;
    if names.is_empty() {
        return Err(err(format!("{} has no function names", wasm_path.display())));
    }
    let mut kept = 0;
    for (index, name) in names {
        if index < imported || !patterns.iter().any(|p| name.contains(p.as_str())) {
            continue;
        }
        let at = 8 + 4 * (index - imported) as usize;
        let entry = profile
            .get_mut(at..at + 4)
            .ok_or_else(|| err(format!("the profile has no entry for function {index} ({name})")))?;
        if entry == [0, 0, 0, 0] {
            entry.copy_from_slice(&1u32.to_le_bytes());
            kept += 1;
        }
    }
    std::fs::write(profile_path, &profile).map_err(|e| format!("write {}: {e}", profile_path.display()))?;
    println!(
        "split-keep: {kept} more functions kept in the start-up module ({})",
        patterns.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, DataSection, EntityType, Function, FunctionSection, ImportSection, Instruction, MemArg,
        MemorySection, MemoryType, Module, TypeSection, ValType,
    };

    fn one_page() -> MemoryType {
        MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }
    }

    fn seg(offset: u32, bytes: &[u8]) -> Segment {
        Segment {
            offset,
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn what_the_code_names_and_what_that_points_to_is_needed() {
        // 0: named (inside it); 1: only pointed to by 0's bytes; 2: named as
        // a load's offset; 3: by nobody; 4: by a base 10 bytes before it.
        let data = vec![
            seg(1000, &[0xd0, 0x07, 0, 0, b'x']), // holds 2000 (0x7d0): a pointer to 1
            seg(2000, b"pointed"),
            seg(3000, b"by offset"),
            seg(4000, b"nobody"),
            seg(5000, b"end"),
        ];
        let keep = needed(&data, &[1002, 3000, 5000 - 10], &[], &[]);
        // Each with why: 1 through the pointer at byte 0 of 0.
        assert_eq!(
            keep.into_iter().collect::<Vec<_>>(),
            vec![
                (0, Why::Named(0)),
                (1, Why::Pointer(0, 0)),
                (2, Why::Named(1)),
                (4, Why::Named(2))
            ]
        );
        // A base up to BEFORE bytes ahead of a constant names it; one always kept is kept.
        assert_eq!(
            needed(&data, &[4000 - BEFORE], &[], &[])
                .into_keys()
                .collect::<Vec<_>>(),
            vec![3]
        );
        // Where one ends and the next starts: the next only.
        assert_eq!(
            needed(&data, &[2000 + 7], &[], &[]).into_keys().collect::<Vec<_>>(),
            Vec::<usize>::new()
        );
        assert_eq!(
            needed(&data, &[4000], &[], &[]).into_keys().collect::<Vec<_>>(),
            vec![3]
        );
        // Where a constant starts names that one alone, not those after it;
        // inside it, as a base, also those starting up to BEFORE after.
        let close = vec![seg(100, b"ab"), seg(102, b"cd"), seg(104, b"ef")];
        assert_eq!(
            needed(&close, &[102], &[], &[]).into_keys().collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(
            needed(&close, &[101], &[], &[]).into_keys().collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(
            needed(&data, &[], &[3], &[]).into_iter().collect::<Vec<_>>(),
            vec![(3, Why::Always)]
        );
    }

    #[test]
    fn touching_segments_merge_and_apart_ones_do_not() {
        let m = merged([seg(10, b"ab"), seg(12, b"cd"), seg(20, b"e")]);
        assert_eq!(m, vec![seg(10, b"abcd"), seg(20, b"e")]);
    }

    /// A start-up module (memory, two constants, a function naming the
    /// first) and a second one importing the memory with a function naming
    /// the second constant.
    fn modules() -> (Vec<u8>, Vec<u8>) {
        modules_named(&["used", "help", ".Lswitch.table.x"])
    }

    /// As [`modules`], with a third constant (a switch table nobody names)
    /// and the data segments' names.
    fn modules_named(names: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let mut p = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        p.section(&types);
        let mut functions = FunctionSection::new();
        functions.function(0);
        p.section(&functions);
        let mut memories = MemorySection::new();
        memories.memory(one_page());
        p.section(&memories);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(0));
        f.instruction(&Instruction::I32Load(MemArg {
            offset: 1024,
            align: 2,
            memory_index: 0,
        }));
        f.instruction(&Instruction::End);
        code.function(&f);
        p.section(&code);
        let mut data = DataSection::new();
        data.active(
            0,
            &wasm_encoder::ConstExpr::i32_const(1024),
            b"used at start".iter().copied(),
        );
        data.active(
            0,
            &wasm_encoder::ConstExpr::i32_const(4096),
            b"help text only the rest prints".iter().copied(),
        );
        data.active(0, &wasm_encoder::ConstExpr::i32_const(8192), [1u8, 2, 3]);
        p.section(&data);
        if !names.is_empty() {
            let mut map = wasm_encoder::NameMap::new();
            for (i, n) in names.iter().enumerate() {
                map.append(i as u32, n);
            }
            let mut section = wasm_encoder::NameSection::new();
            section.data(&map);
            p.section(&section);
        }

        let mut s = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        s.section(&types);
        let mut imports = ImportSection::new();
        imports.import("primary", "memory", EntityType::Memory(one_page()));
        s.section(&imports);
        let mut functions = FunctionSection::new();
        functions.function(0);
        s.section(&functions);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(4096));
        f.instruction(&Instruction::End);
        code.function(&f);
        s.section(&code);
        (p.finish(), s.finish())
    }

    #[test]
    fn a_constant_only_the_rest_uses_moves_there_at_its_own_address() {
        let (p, s) = modules();
        let (unnamed, _) = modules_named(&[]);
        let moved = split(&unnamed, &s, &p, &[]).unwrap().unwrap();
        assert_eq!(moved.bytes, "help text only the rest prints".len());
        assert_eq!(moved.segments, 1);
        assert_eq!(
            scan(&moved.primary).unwrap().data,
            vec![seg(1024, b"used at start"), seg(8192, &[1, 2, 3])],
            "the switch table stays"
        );
        assert!(
            scan(&moved.primary).unwrap().data_names.is_empty(),
            "the names are dropped"
        );
        assert_eq!(
            scan(&moved.secondary).unwrap().data,
            vec![seg(4096, b"help text only the rest prints")]
        );
    }

    #[test]
    fn a_constant_the_profiling_run_touched_stays_and_is_named() {
        let (p, s) = modules();
        let (unnamed, _) = modules_named(&[]);
        // A read of 2 bytes inside the help text, which no code of the start-up module names.
        let help_read = [Range { start: 4100, end: 4102 }];
        let moved = split(&unnamed, &s, &p, &help_read).unwrap().unwrap();
        assert_eq!(moved.bytes, 0, "nothing moves");
        assert_eq!(moved.missed, vec!["help (30 bytes at 0x1000)".to_string()]);
        // What the code names already, touched, is no news.
        let named_read = [Range { start: 1024, end: 1028 }];
        let moved = split(&unnamed, &s, &p, &named_read).unwrap().unwrap();
        assert_eq!((moved.bytes, moved.missed.len()), (30, 0));
        // The file: pairs, sorted, apart.
        assert_eq!(read_touched("1 4\n\n10 12\n").unwrap(), vec![1..4, 10..12]);
        for bad in ["1", "4 1", "1 4\n3 5", "a b", "1 2 3"] {
            assert!(read_touched(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn both_halves_of_an_i64_constant_are_addresses() {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I64]);
        m.section(&types);
        let mut functions = FunctionSection::new();
        functions.function(0);
        m.section(&functions);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        // "help" at 4096, 4 bytes long, as one stored (pointer, length).
        f.instruction(&Instruction::I64Const((4 << 32) | 4096));
        f.instruction(&Instruction::End);
        code.function(&f);
        m.section(&code);
        let addresses = scan(&m.finish()).unwrap().addresses;
        assert!(addresses.contains(&4096) && addresses.contains(&4), "{addresses:?}");
    }

    #[test]
    fn split_keep_marks_the_functions_named_like_a_pattern() {
        // An imported function (index 0), then three defined ones.
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = ImportSection::new();
        imports.import("env", "f", EntityType::Function(0));
        m.section(&imports);
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for _ in 0..3 {
            functions.function(0);
            let mut f = Function::new([]);
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        m.section(&functions);
        m.section(&code);
        let mut map = wasm_encoder::NameMap::new();
        map.append(1, "core::num::flt2dec::strategy::dragon::format_shortest");
        map.append(2, "app::ran");
        map.append(3, "app::never");
        let mut names = wasm_encoder::NameSection::new();
        names.functions(&map);
        m.section(&names);
        let dir = std::env::temp_dir().join(format!("split-keep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (wasm, profile) = (dir.join("m.wasm"), dir.join("p.prof"));
        std::fs::write(&wasm, m.finish()).unwrap();
        // The hash, then one u32 per defined function: only `app::ran` ran.
        let mut bytes = 42u64.to_le_bytes().to_vec();
        for t in [0u32, 7, 0] {
            bytes.extend(t.to_le_bytes());
        }
        std::fs::write(&profile, &bytes).unwrap();
        keep(&profile, &wasm, &["flt2dec::".to_string()]).unwrap();
        let after = std::fs::read(&profile).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(after[..8], bytes[..8], "the hash is left alone");
        let stamps: Vec<u32> = after[8..]
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(stamps, vec![1, 7, 0]);
    }

    #[test]
    fn without_data_names_the_data_stays() {
        let (p, s) = modules_named(&[]);
        assert_eq!(
            split(&p, &s, &p, &[]).unwrap(),
            Err("the original module's data segments have no names".to_string())
        );
    }

    #[test]
    fn a_passive_segment_leaves_the_data_alone() {
        let (_, s) = modules();
        let mut p = Module::new();
        let mut memories = MemorySection::new();
        memories.memory(one_page());
        p.section(&memories);
        let mut data = DataSection::new();
        data.passive(b"x".iter().copied());
        p.section(&data);
        let p = p.finish();
        assert_eq!(
            split(&p, &s, &p, &[]).unwrap(),
            Err("a data segment is passive or for another memory".to_string())
        );
    }
}
