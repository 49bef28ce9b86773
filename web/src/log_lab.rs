//! The log lab: one partition log up close, a Yew component over [`Demo`]
//! (partition `demo-0` on a single broker, outside the simulated cluster). It
//! turns form input into messages, runs them against the log and renders what
//! the log holds: batches, segments, index entries, the files. Errors from the
//! log are shown on the page; nothing here panics on user input.

use kafkaplay_flatmap::FlatSet;

use kafkaplay_log::{LogConfig, TimestampType};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser;
use crate::i18n::{Lang, Text};
use crate::model::{
    self, AppendError, AppendForm, BatchView, ConfigForm, Demo, RecordView, HEX_DUMP_BYTES_MAX, PARTITION,
};

/// The page starts with small segments and a short index interval so rolls and
/// index entries show up after a few appends (Kafka's defaults: 1 GiB, 4096).
pub fn initial_config() -> LogConfig {
    LogConfig {
        segment_bytes: 1024,
        index_interval_bytes: 128,
        ..LogConfig::default()
    }
}

pub enum Msg {
    SetKey(String),
    SetValue(String),
    SetTombstone(bool),
    AddHeader,
    RemoveHeader(usize),
    SetHeaderKey(usize, String),
    SetHeaderValue(usize, String),
    SetRecordCount(String),
    Append,
    ToggleBatch(i64),
    SetSegmentBytes(String),
    SetIndexIntervalBytes(String),
    SetTimestampType(TimestampType),
    ApplyConfig,
    Download(String),
}

/// The last outcome shown under the forms.
enum Notice {
    None,
    Info(String),
    Error(String),
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
}

pub struct LogLab {
    demo: Result<Demo, String>,
    form: AppendForm,
    config_form: ConfigForm,
    /// Base offsets of the batches shown expanded.
    expanded: FlatSet<i64>,
    notice: Notice,
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

impl Component for LogLab {
    type Message = Msg;
    type Properties = Props;

    fn create(_ctx: &Context<Self>) -> Self {
        let config = initial_config();
        LogLab {
            config_form: ConfigForm::from_config(&config),
            demo: Demo::new(config, browser::now_ms()).map_err(|e| e.to_string()),
            form: AppendForm::new(),
            expanded: FlatSet::new(),
            notice: Notice::None,
        }
    }

    fn changed(&mut self, _ctx: &Context<Self>, _old: &Props) -> bool {
        // A notice is in the language it was made in.
        self.notice = Notice::None;
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let t = ctx.props().lang.text();
        match msg {
            Msg::SetKey(v) => self.form.key = v,
            Msg::SetValue(v) => self.form.value = v,
            Msg::SetTombstone(v) => self.form.tombstone = v,
            Msg::AddHeader => self.form.headers.push((String::new(), String::new())),
            Msg::RemoveHeader(i) => {
                if i < self.form.headers.len() {
                    self.form.headers.remove(i);
                }
            }
            Msg::SetHeaderKey(i, v) => {
                if let Some(h) = self.form.headers.get_mut(i) {
                    h.0 = v;
                }
            }
            Msg::SetHeaderValue(i, v) => {
                if let Some(h) = self.form.headers.get_mut(i) {
                    h.1 = v;
                }
            }
            Msg::SetRecordCount(v) => self.form.record_count = v,
            Msg::Append => {
                let Ok(demo) = &mut self.demo else {
                    return false;
                };
                self.notice = match demo.append(&self.form, browser::now_ms()) {
                    Ok(info) => {
                        let mut s = (t.appended)(info.first_offset, info.last_offset, info.record_count, info.bytes);
                        if info.rolled {
                            s = format!("{s} {}", t.rolled);
                        }
                        Notice::Info(s)
                    }
                    Err(AppendError::Form(e)) => Notice::Error((t.form_error)(e)),
                    Err(AppendError::Log(e)) => Notice::Error(e.to_string()),
                };
            }
            Msg::ToggleBatch(base_offset) => {
                if !self.expanded.remove(&base_offset) {
                    self.expanded.insert(base_offset);
                }
            }
            Msg::SetSegmentBytes(v) => self.config_form.segment_bytes = v,
            Msg::SetIndexIntervalBytes(v) => self.config_form.index_interval_bytes = v,
            Msg::SetTimestampType(v) => self.config_form.message_timestamp_type = v,
            Msg::ApplyConfig => {
                let Ok(demo) = &mut self.demo else {
                    return false;
                };
                self.notice = match self.config_form.apply_to(demo.log.config()) {
                    Err(name) => Notice::Error((t.not_a_number)(name)),
                    Ok(config) => match demo.log.set_config(config) {
                        Ok(()) => Notice::Info(t.config_applied.to_string()),
                        Err(e) => Notice::Error(e.to_string()),
                    },
                };
            }
            Msg::Download(name) => {
                let Ok(demo) = &self.demo else { return false };
                let result = match demo.export_file(&name) {
                    Some(bytes) => browser::download(&name, &bytes),
                    None => Err(format!("{name}: no such file")),
                };
                match result {
                    Ok(()) => return false,
                    Err(e) => self.notice = Notice::Error(e),
                }
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let t = ctx.props().lang.text();
        match &self.demo {
            Ok(demo) => html! {
                <div class="log-lab" data-testid="log-lab">
                    <p class="subtitle">{ t.subtitle }</p>
                    <div class="top">
                        { self.view_append_form(ctx, t) }
                        <div class="side">
                            { self.view_offsets(demo, t) }
                            { self.view_config(ctx, t) }
                        </div>
                    </div>
                    { self.view_notice(t) }
                    { self.view_segments(ctx, demo, t) }
                    { self.view_batches(ctx, demo, t) }
                </div>
            },
            Err(e) => {
                html! { <p class="notice error" role="alert" data-testid="error">{ format!("{}: {e}", t.error) }</p> }
            }
        }
    }
}

impl LogLab {
    fn view_append_form(&self, ctx: &Context<Self>, t: &Text) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let headers = f.headers.iter().enumerate().map(|(i, (k, v))| {
            html! {
                <div class="header-row" data-testid="header-row">
                    <input type="text" placeholder={t.header_key} aria-label={t.header_key} value={k.clone()}
                        data-testid="header-key-input"
                        oninput={link.callback(move |e: InputEvent| Msg::SetHeaderKey(i, input_value(&e)))} />
                    <input type="text" placeholder={t.header_value} aria-label={t.header_value} value={v.clone()}
                        data-testid="header-value-input"
                        oninput={link.callback(move |e: InputEvent| Msg::SetHeaderValue(i, input_value(&e)))} />
                    <button type="button" class="small" data-testid="remove-header-button"
                        onclick={link.callback(move |_| Msg::RemoveHeader(i))}>{ t.remove_header }</button>
                </div>
            }
        });
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::Append
        });
        html! {
            <section class="card append">
                <h3>{ t.append_heading }<span class="tp">{ format!(" → {PARTITION}") }</span></h3>
                // Our own (translated) messages instead of the browser's validation popups.
                <form novalidate=true {onsubmit}>
                    <label class="field">
                        <span>{ t.key }</span>
                        <input type="text" value={f.key.clone()} placeholder={t.key_placeholder} data-testid="key-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetKey(input_value(&e)))} />
                    </label>
                    <label class="field">
                        <span>{ t.value }</span>
                        <input type="text" value={f.value.clone()} disabled={f.tombstone} data-testid="value-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetValue(input_value(&e)))} />
                    </label>
                    <label class="check">
                        <input type="checkbox" checked={f.tombstone} data-testid="tombstone-checkbox"
                            onchange={link.callback(|e: Event| {
                                Msg::SetTombstone(e.target_unchecked_into::<HtmlInputElement>().checked())
                            })} />
                        { t.tombstone }
                    </label>
                    <fieldset class="headers">
                        <legend>{ t.headers }</legend>
                        if f.headers.is_empty() { <p class="muted">{ t.no_headers }</p> }
                        { for headers }
                        <button type="button" class="small" data-testid="add-header-button"
                            onclick={link.callback(|_| Msg::AddHeader)}>{ t.add_header }</button>
                    </fieldset>
                    <label class="field">
                        <span>{ t.record_count }</span>
                        <input type="number" min="1" max="100" step="1" class="count" value={f.record_count.clone()}
                            data-testid="record-count-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetRecordCount(input_value(&e)))} />
                    </label>
                    <p class="note">{ t.record_count_note }</p>
                    <button type="submit" class="primary" data-testid="append-button">{ t.append }</button>
                </form>
            </section>
        }
    }

    fn view_offsets(&self, demo: &Demo, t: &Text) -> Html {
        let log = &demo.log;
        let stat = |label: &'static str, value: i64, testid: &'static str| {
            html! {
                <div class="stat">
                    <span class="label">{ label }</span>
                    <span class="num" data-testid={testid}>{ value }</span>
                </div>
            }
        };
        html! {
            <section class="card">
                <h3>{ t.offsets_heading }</h3>
                <div class="stats">
                    { stat(t.log_start_offset, log.log_start_offset(), "log-start-offset") }
                    { stat(t.log_end_offset, log.log_end_offset(), "log-end-offset") }
                    { stat(t.high_watermark, log.high_watermark(), "high-watermark") }
                </div>
                <p class="note">{ t.high_watermark_note }</p>
            </section>
        }
    }

    fn view_config(&self, ctx: &Context<Self>, t: &Text) -> Html {
        let link = ctx.link();
        let c = &self.config_form;
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::ApplyConfig
        });
        let onchange = link.callback(|e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            Msg::SetTimestampType(if v == "LogAppendTime" {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            })
        });
        let option = |tt: TimestampType| {
            html! { <option value={tt.name()} selected={c.message_timestamp_type == tt}>{ tt.name() }</option> }
        };
        html! {
            <section class="card">
                <h3>{ t.config_heading }</h3>
                <form class="config" novalidate=true {onsubmit}>
                    <label class="field">
                        <code>{ "segment.bytes" }</code>
                        <input type="text" inputmode="numeric" value={c.segment_bytes.clone()} data-testid="segment-bytes-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetSegmentBytes(input_value(&e)))} />
                    </label>
                    <label class="field">
                        <code>{ "index.interval.bytes" }</code>
                        <input type="text" inputmode="numeric" value={c.index_interval_bytes.clone()}
                            data-testid="index-interval-bytes-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetIndexIntervalBytes(input_value(&e)))} />
                    </label>
                    <label class="field">
                        <code>{ "message.timestamp.type" }</code>
                        <select data-testid="timestamp-type-select" {onchange}>
                            { option(TimestampType::CreateTime) }
                            { option(TimestampType::LogAppendTime) }
                        </select>
                    </label>
                    <button type="submit" data-testid="apply-config-button">{ t.apply }</button>
                </form>
                <p class="note">{ t.config_note }</p>
            </section>
        }
    }

    fn view_notice(&self, t: &Text) -> Html {
        match &self.notice {
            Notice::None => html! {},
            Notice::Info(s) => {
                html! { <p class="notice info" role="status" data-testid="status">{ s }</p> }
            }
            Notice::Error(s) => html! {
                <p class="notice error" role="alert" data-testid="error"><strong>{ format!("{}: ", t.error) }</strong>{ s }</p>
            },
        }
    }

    fn view_segments(&self, ctx: &Context<Self>, demo: &Demo, t: &Text) -> Html {
        let infos = demo.log.segment_infos();
        let last = infos.len().saturating_sub(1);
        let rows = infos.iter().enumerate().map(|(i, s)| {
            let stem = format!("{:020}", s.base_offset);
            let file = |ext: &str, testid: &'static str, label: String| {
                let name = format!("{stem}{ext}");
                let onclick = ctx.link().callback({
                    let name = name.clone();
                    move |_| Msg::Download(name.clone())
                });
                html! { <button type="button" class="small" title={name.clone()} data-file={name} data-testid={testid} {onclick}>{ label }</button> }
            };
            html! {
                <tr data-testid="segment-row">
                    <td class="num">{ s.base_offset }{ if i == last { html! { <span class="tag">{ t.active }</span> } } else { html! {} } }</td>
                    <td class="num">{ s.next_offset }</td>
                    <td class="num">{ s.size }</td>
                    <td class="num">{ s.offset_index_entries }</td>
                    <td class="num">{ s.time_index_entries }</td>
                    <td class="files">
                        { file(".log", "download-log-button", t.download_log.to_string()) }
                        { file(".index", "download-index-button", ".index".to_string()) }
                        { file(".timeindex", "download-timeindex-button", ".timeindex".to_string()) }
                    </td>
                </tr>
            }
        });
        html! {
            <section class="card">
                <h3>{ t.segments_heading }</h3>
                <div class="scroll">
                    <table data-testid="segments-table">
                        <thead><tr>
                            <th class="r">{ t.base_offset }</th><th class="r">{ t.next_offset }</th>
                            <th class="r">{ t.size_bytes }</th><th class="r">{ t.offset_index_entries }</th>
                            <th class="r">{ t.time_index_entries }</th><th>{ t.download_heading }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
                <p class="note">{ t.download_note }</p>
            </section>
        }
    }

    fn view_batches(&self, ctx: &Context<Self>, demo: &Demo, t: &Text) -> Html {
        let batches = demo.batches();
        let rows = batches.iter().map(|b| self.view_batch(ctx, b, t));
        html! {
            <section class="card">
                <h3>{ t.batches_heading }</h3>
                <p class="note">{ t.batches_note }</p>
                if batches.is_empty() {
                    <p class="muted" data-testid="no-batches">{ t.no_batches }</p>
                } else {
                    <div class="scroll">
                        <table class="batches" data-testid="batch-table">
                            <thead><tr>
                                <th></th><th class="r">{ t.base_offset }</th><th class="r">{ t.last_offset }</th>
                                <th class="r">{ t.records }</th><th class="r">{ t.size_bytes }</th><th>{ t.crc }</th>
                                <th>{ t.timestamp }</th><th class="r">{ t.leader_epoch }</th>
                            </tr></thead>
                            { for rows }
                        </table>
                    </div>
                }
            </section>
        }
    }

    fn view_batch(&self, ctx: &Context<Self>, b: &BatchView, t: &Text) -> Html {
        let open = self.expanded.contains(&b.base_offset);
        let base = b.base_offset;
        let onclick = ctx.link().callback(move |_| Msg::ToggleBatch(base));
        let details_id = format!("batch-{base}-details");
        let crc_status = if b.crc_valid {
            html! { <span class="ok" data-testid="batch-crc-status" data-valid="true">{ format!("✓ {}", t.crc_valid) }</span> }
        } else {
            html! { <span class="bad" data-testid="batch-crc-status" data-valid="false">{ format!("✗ {}", t.crc_invalid) }</span> }
        };
        html! {
            // One <tbody> per batch keeps a batch and its details together.
            <tbody class={classes!("batch", open.then_some("open"))}>
                <tr class="batch-row" data-testid="batch-row" data-base-offset={base.to_string()} {onclick}>
                    <td>
                        <button type="button" class="disclosure" aria-expanded={open.to_string()} aria-controls={details_id.clone()}
                            data-testid="batch-toggle">{ if open { "▾" } else { "▸" } }</button>
                    </td>
                    <td class="num" data-testid="batch-base-offset">{ b.base_offset }</td>
                    <td class="num" data-testid="batch-last-offset">{ b.last_offset }</td>
                    <td class="num" data-testid="batch-records-count">{ b.records_count }</td>
                    <td class="num" data-testid="batch-size">{ b.size }</td>
                    <td><code data-testid="batch-crc">{ model::crc_hex(b.crc) }</code>{ " " }{ crc_status }</td>
                    <td>
                        <span class="tstype">{ b.timestamp_type.name() }</span>
                        <span class="num">{ format!(" {} ", b.max_timestamp) }</span>
                        <span class="muted">{ model::iso_time(b.max_timestamp) }</span>
                    </td>
                    <td class="num">{ b.partition_leader_epoch }</td>
                </tr>
                if open {
                    <tr class="details" id={details_id} data-testid="batch-details">
                        <td colspan="8">{ self.view_batch_details(b, t) }</td>
                    </tr>
                }
            </tbody>
        }
    }

    fn view_batch_details(&self, b: &BatchView, t: &Text) -> Html {
        let null = || html! { <span class="null">{ t.null }</span> };
        let opt = |v: &Option<String>| match v {
            Some(s) => html! { <code>{ s.clone() }</code> },
            None => null(),
        };
        let record_row = |r: &RecordView| {
            let headers = r.headers.iter().map(|(k, v)| {
                html! { <div><code>{ k.clone() }</code>{ " = " }{ opt(v) }</div> }
            });
            html! {
                <tr data-testid="record-row">
                    <td class="num">{ r.offset }</td>
                    <td><span class="num">{ r.timestamp }</span><br /><span class="muted">{ model::iso_time(r.timestamp) }</span></td>
                    <td data-testid="record-key">{ opt(&r.key) }</td>
                    <td data-testid="record-value">{ opt(&r.value) }</td>
                    <td data-testid="record-headers">{ for headers }</td>
                </tr>
            }
        };
        let records = match &b.records {
            Ok(rs) => html! {
                <table class="records">
                    <thead><tr>
                        <th class="r">{ t.offset }</th><th>{ t.record_timestamp }</th><th>{ t.key }</th><th>{ t.value }</th><th>{ t.headers }</th>
                    </tr></thead>
                    <tbody>{ for rs.iter().map(record_row) }</tbody>
                </table>
            },
            Err(e) => html! { <p class="notice error">{ format!("{} {e}", t.records_error) }</p> },
        };
        let header_fields = [
            ("magic", b.magic.to_string()),
            ("attributes", format!("0x{:04x}", b.attributes)),
            ("baseTimestamp", b.base_timestamp.to_string()),
            ("maxTimestamp", b.max_timestamp.to_string()),
            ("producerId", b.producer_id.to_string()),
            ("producerEpoch", b.producer_epoch.to_string()),
            ("baseSequence", b.base_sequence.to_string()),
            ("segment", format!("{:020}.log", b.segment_base_offset)),
        ];
        html! {
            <div class="detail-grid">
                <div>
                    <h4>{ t.records }</h4>
                    { records }
                    <h4>{ t.batch_header }</h4>
                    <dl class="fields">
                        { for header_fields.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd class="num">{ v.clone() }</dd></> }) }
                    </dl>
                </div>
                <div>
                    <h4>{ (t.hex_dump)(b.head.len().min(HEX_DUMP_BYTES_MAX), b.size) }</h4>
                    <pre class="hex" data-testid="batch-hex">{ model::hex_dump(&b.head) }</pre>
                </div>
            </div>
        }
    }
}
