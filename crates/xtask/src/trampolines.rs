//! `cargo xtask split-trampolines IN OUT`: moves the calls that a split
//! wasm's start-up module makes to its second module out of the functions
//! that make them, into one small function each (web/build/split.mjs runs it
//! on the start-up module that `wasm-split` wrote).
//!
//! `wasm-split` turns each direct call to a function that moved to the second
//! module into `i32.const SLOT; call_indirect` through a table slot that
//! holds a placeholder until the second module is in. In Chromium, a function
//! with a `call_indirect` gets V8's type feedback for speculative inlining,
//! which made the app's start (the first render) about 40 ms slower than the
//! same code unsplit, though none of those calls ran (with V8's
//! `--no-wasm-inlining-call-indirect` the gap closed). Here each such pair
//! becomes a direct `call` of a trampoline, appended after every other
//! function (no index changes), that passes its parameters on through the
//! same slot: the large functions keep only direct calls.

use std::collections::{BTreeMap, HashSet};

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{CodeSection, Function, FunctionSection, Instruction};
use wasmparser::{ElementItems, ElementKind, Operator, Parser, Payload, TypeRef};

use crate::Result;

/// The import module of `wasm-split`'s placeholders (`--placeholder-namespace`).
pub const PLACEHOLDER_MODULE: &str = "placeholder";

/// What [`rewrite`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct Rewritten {
    pub wasm: Vec<u8>,
    /// Call sites that now call a trampoline.
    pub calls: usize,
    /// Trampolines added: one per (slot, type) called.
    pub trampolines: usize,
    /// The module's functions before them (imported and defined).
    pub functions: u32,
}

/// A trampoline: calls through `slot` with type `type_index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    slot: i32,
    type_index: u32,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("split-trampolines: {e}")
}

/// What a first pass over the module finds.
struct Scan {
    /// Parameter count of each type.
    params: Vec<usize>,
    /// Imported plus defined functions: the first trampoline's index.
    functions: u32,
    /// The table slots that hold a placeholder import.
    placeholder_slots: HashSet<i32>,
    /// Each trampoline's function index.
    trampolines: BTreeMap<Target, u32>,
}

fn scan(wasm: &[u8]) -> Result<Scan> {
    let mut params = Vec::new();
    let mut imported = 0u32;
    let mut defined = 0u32;
    let mut placeholders = HashSet::new();
    let mut placeholder_slots = HashSet::new();
    let mut targets = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(err)? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    params.push(ty.map_err(err)?.params().len());
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(err)?;
                    if let TypeRef::Func(_) = import.ty {
                        if import.module == PLACEHOLDER_MODULE {
                            placeholders.insert(imported);
                        }
                        imported += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => defined = reader.count(),
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element.map_err(err)?;
                    let ElementKind::Active {
                        table_index: None | Some(0),
                        offset_expr,
                    } = element.kind
                    else {
                        continue;
                    };
                    let Ok(Operator::I32Const { value: base }) = offset_expr.get_operators_reader().read() else {
                        continue;
                    };
                    if let ElementItems::Functions(functions) = element.items {
                        for (i, function) in functions.into_iter().enumerate() {
                            if placeholders.contains(&function.map_err(err)?) {
                                placeholder_slots.insert(base + i as i32);
                            }
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut previous = None;
                let mut reader = body.get_operators_reader().map_err(err)?;
                while !reader.eof() {
                    let op = reader.read().map_err(err)?;
                    if let (
                        Some(slot),
                        Operator::CallIndirect {
                            type_index,
                            table_index: 0,
                        },
                    ) = (previous, &op)
                    {
                        if placeholder_slots.contains(&slot) {
                            targets.push(Target {
                                slot,
                                type_index: *type_index,
                            });
                        }
                    }
                    previous = match op {
                        Operator::I32Const { value } => Some(value),
                        _ => None,
                    };
                }
            }
            _ => {}
        }
    }
    let functions = imported + defined;
    targets.sort();
    targets.dedup();
    let trampolines = targets.into_iter().zip(functions..).collect();
    Ok(Scan {
        params,
        functions,
        placeholder_slots,
        trampolines,
    })
}

/// Rewrites the module as the module doc says.
pub fn rewrite(wasm: &[u8]) -> Result<Rewritten> {
    let scan = scan(wasm)?;
    let mut rewriter = Rewriter { scan: &scan, calls: 0 };
    let mut module = wasm_encoder::Module::new();
    rewriter
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| err(format!("{e:?}")))?;
    let out = module.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&out)
        .map_err(|e| err(format!("the rewritten module is not valid: {e}")))?;
    Ok(Rewritten {
        wasm: out,
        calls: rewriter.calls,
        trampolines: scan.trampolines.len(),
        functions: scan.functions,
    })
}

struct Rewriter<'a> {
    scan: &'a Scan,
    calls: usize,
}

impl Reencode for Rewriter<'_> {
    type Error = std::convert::Infallible;

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> std::result::Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_function_section(self, functions, section)?;
        for target in self.scan.trampolines.keys() {
            functions.function(target.type_index);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> std::result::Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        for target in self.scan.trampolines.keys() {
            let mut f = Function::new([]);
            for local in 0..self.scan.params[target.type_index as usize] as u32 {
                f.instruction(&Instruction::LocalGet(local));
            }
            f.instruction(&Instruction::I32Const(target.slot));
            f.instruction(&Instruction::CallIndirect {
                type_index: target.type_index,
                table_index: 0,
            });
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        body: wasmparser::FunctionBody<'_>,
    ) -> std::result::Result<(), reencode::Error<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&body)?;
        let mut reader = body.get_operators_reader()?;
        // An `i32.const` is held back until the next instruction shows
        // whether it is a placeholder slot's call.
        let mut held: Option<i32> = None;
        while !reader.eof() {
            let op = reader.read()?;
            if let (
                Some(slot),
                Operator::CallIndirect {
                    type_index,
                    table_index: 0,
                },
            ) = (held, &op)
            {
                if let Some(&index) = self.scan.trampolines.get(&Target {
                    slot,
                    type_index: *type_index,
                }) {
                    f.instruction(&Instruction::Call(index));
                    self.calls += 1;
                    held = None;
                    continue;
                }
            }
            if let Some(value) = held.take() {
                f.instruction(&Instruction::I32Const(value));
            }
            match op {
                Operator::I32Const { value } if self.scan.placeholder_slots.contains(&value) => held = Some(value),
                op => {
                    f.instruction(&self.instruction(op)?);
                }
            }
        }
        if let Some(value) = held {
            f.instruction(&Instruction::I32Const(value));
        }
        code.function(&f);
        Ok(())
    }
}

/// `cargo xtask split-trampolines IN OUT`.
pub fn run(input: &std::path::Path, output: &std::path::Path) -> Result<()> {
    let wasm = std::fs::read(input).map_err(|e| format!("read {}: {e}", input.display()))?;
    let rewritten = rewrite(&wasm)?;
    std::fs::write(output, &rewritten.wasm).map_err(|e| format!("write {}: {e}", output.display()))?;
    println!(
        "split-trampolines: {} calls through placeholder slots now call one of {} trampolines ({} functions before them)",
        rewritten.calls, rewritten.trampolines, rewritten.functions
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        ElementSection, Elements, EntityType, ImportSection, Module, RefType, TableSection, TableType, TypeSection,
        ValType,
    };

    /// Imports a placeholder (function 0) and another function (1); function 2
    /// calls through slot 1 (the placeholder's) and slot 0 (function 2's own),
    /// and adds an `i32.const 1` that is no call's target.
    fn split_like_module() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], [ValType::I32]);
        types.ty().function([], []);
        let mut imports = ImportSection::new();
        imports.import(PLACEHOLDER_MODULE, "1", EntityType::Function(0));
        imports.import("env", "f", EntityType::Function(1));
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 2,
            maximum: None,
            shared: false,
        });
        let mut elements = ElementSection::new();
        elements.active(
            None,
            &wasm_encoder::ConstExpr::i32_const(0),
            Elements::Functions([2, 0][..].into()),
        );
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        for instruction in [
            Instruction::LocalGet(0),
            Instruction::I32Const(1),
            Instruction::CallIndirect {
                type_index: 0,
                table_index: 0,
            },
            Instruction::LocalGet(0),
            Instruction::I32Const(0),
            Instruction::CallIndirect {
                type_index: 0,
                table_index: 0,
            },
            Instruction::I32Add,
            Instruction::I32Const(1),
            Instruction::I32Add,
            Instruction::End,
        ] {
            f.instruction(&instruction);
        }
        code.function(&f);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&tables)
            .section(&elements)
            .section(&code);
        module.finish()
    }

    /// Each function body's operators, as their debug text.
    fn bodies(wasm: &[u8]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut reader = body.get_operators_reader().unwrap();
                let mut ops = Vec::new();
                while !reader.eof() {
                    ops.push(format!("{:?}", reader.read().unwrap()));
                }
                out.push(ops);
            }
        }
        out
    }

    #[test]
    fn a_call_through_a_placeholder_slot_calls_a_trampoline_and_other_code_is_kept() {
        let rewritten = rewrite(&split_like_module()).unwrap();
        assert_eq!((rewritten.calls, rewritten.trampolines, rewritten.functions), (1, 1, 3));
        let bodies = bodies(&rewritten.wasm);
        assert_eq!(
            bodies[0],
            [
                "LocalGet { local_index: 0 }",
                "Call { function_index: 3 }",
                "LocalGet { local_index: 0 }",
                "I32Const { value: 0 }",
                "CallIndirect { type_index: 0, table_index: 0 }",
                "I32Add",
                "I32Const { value: 1 }",
                "I32Add",
                "End",
            ]
        );
        assert_eq!(
            bodies[1],
            [
                "LocalGet { local_index: 0 }",
                "I32Const { value: 1 }",
                "CallIndirect { type_index: 0, table_index: 0 }",
                "End",
            ]
        );
    }

    #[test]
    fn a_module_without_placeholders_comes_out_the_same() {
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(1))
            .instruction(&Instruction::Drop)
            .instruction(&Instruction::End);
        code.function(&f);
        module.section(&types).section(&functions).section(&code);
        let wasm = module.finish();
        let rewritten = rewrite(&wasm).unwrap();
        assert_eq!((rewritten.calls, rewritten.trampolines, rewritten.functions), (0, 0, 1));
        assert_eq!(rewritten.wasm, wasm);
    }
}
