//! What the page shows of persistence ([`crate::persistence`]): a status line
//! and the playground menu in the header (list, new, open, reset, delete,
//! export, import, a partition's Kafka files, `docker-compose.yml`), and, above
//! the cluster, the read-only banner, the recovery report and save errors.
//! Every text in English and Korean.

use kafkaplay_cluster::sim::persist::RestoreReport;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::Lang;
use crate::persistence::{Action, Event, Outcome, Persist, PersistError, NAME_CHARS_MAX};
use crate::playground::PartitionView;

pub struct PersistText {
    pub playground: &'static str,
    pub menu: &'static str,
    pub loading: &'static str,
    pub saved_at: fn(f64) -> String,
    pub not_saved_yet: &'static str,
    pub in_memory: &'static str,
    pub usage: fn(&str, &str) -> String,
    pub persistent: &'static str,
    pub best_effort: &'static str,
    pub read_only_banner: &'static str,
    pub read_only_refusal: &'static str,
    pub refused: &'static str,
    pub following: fn(u32) -> String,
    pub quota: &'static str,
    pub save_failed: fn(&str) -> String,
    pub restored: fn(f64, u32) -> String,
    pub truncated: fn(i32, &str, i64, i64) -> String,
    pub truncated_bytes: fn(u64) -> String,
    pub damaged: fn(&str) -> String,
    pub list_heading: &'static str,
    pub open_now: &'static str,
    pub open: &'static str,
    pub delete: &'static str,
    pub confirm_delete: fn(&str) -> String,
    pub new_name: &'static str,
    pub create: &'static str,
    pub reset: &'static str,
    pub confirm_reset: fn(&str) -> String,
    pub export: &'static str,
    pub import: &'static str,
    pub files_heading: &'static str,
    pub partition: &'static str,
    pub export_partition: &'static str,
    pub compose: &'static str,
    pub compose_note: &'static str,
    pub outcome: fn(&Outcome) -> String,
}

/// Bytes as the page shows them: 812 B, 1.2 MB, 10.0 GB.
pub fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b.max(0.0);
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{v:.0} {}", UNITS[0])
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

const EN: PersistText = PersistText {
    playground: "Playground",
    menu: "Playgrounds",
    loading: "Opening the stored playground…",
    saved_at: |s| format!("saved at {s:.1} s"),
    not_saved_yet: "not saved yet",
    in_memory: "not saved: runs in memory only",
    usage: |used, quota| format!("{used} of {quota} used"),
    persistent: "storage persistent",
    best_effort: "storage may be cleared by the browser",
    read_only_banner: "Read-only: this playground is open in another tab, which saves it. This tab shows its last \
save and follows its changes; close the other tab to work here.",
    read_only_refusal: "kafkaplay: read-only: this playground is open in another tab, which saves it; close that tab \
to work here",
    refused: "Not done: this tab is read-only.",
    following: |n| format!("followed the other tab's saves {n} times"),
    quota: "The browser's storage for this site is full (QuotaExceededError), so the playground could not be saved. \
The cluster keeps running in memory, and what was saved before is intact. Delete another playground or allow this \
site more storage, and saving resumes.",
    save_failed: |m| format!("Saving failed: {m}. The cluster keeps running in memory."),
    restored: |at, n| {
        format!(
            "Restarted from the stored logs at {at:.1} s of simulated time: {n} partition replicas recovered, every \
batch's CRC checked."
        )
    },
    truncated: |b, tp, from, to| {
        format!("Broker {b}: {tp} had a torn tail; recovery truncated it (offsets {from} to {to} cut).")
    },
    truncated_bytes: |n| format!("{n} bytes cut off torn or corrupt tails."),
    damaged: |p| format!("Stored file {p} was damaged; what followed the damage was not loaded."),
    list_heading: "Playgrounds in this browser",
    open_now: "open",
    open: "Open",
    delete: "Delete",
    confirm_delete: |n| format!("Delete the playground “{n}” and everything stored in it?"),
    new_name: "New playground",
    create: "Create",
    reset: "Reset this playground",
    confirm_reset: |n| format!("Reset the playground “{n}”? Its cluster, history and files are deleted."),
    export: "Export to a file",
    import: "Import a file",
    files_heading: "Files",
    partition: "Partition",
    export_partition: "Download its Kafka segment files",
    compose: "Download docker-compose.yml and create-topics.sh",
    compose_note: "What kafkaplay export-compose writes: this cluster on real Kafka.",
    outcome: |o| match o {
        Outcome::Exported(f) => format!("Exported to {f}."),
        Outcome::Imported(n) => format!("Imported as the playground “{n}”."),
        Outcome::Deleted(n) => format!("Deleted the playground “{n}”."),
        Outcome::Reset(n) => format!("Reset the playground “{n}”."),
        Outcome::Downloaded(files) => format!("Downloaded {}.", files.join(", ")),
        Outcome::BadName => format!("A name has 1 to {NAME_CHARS_MAX} characters, without / or \\."),
        Outcome::NoPartition => "No running broker holds that partition.".to_string(),
        Outcome::Failed(m) => format!("Failed: {m}"),
    },
};

const KO: PersistText = PersistText {
    playground: "플레이그라운드",
    menu: "플레이그라운드 목록",
    loading: "저장된 플레이그라운드를 여는 중…",
    saved_at: |s| format!("{s:.1}초 시점 저장됨"),
    not_saved_yet: "아직 저장 안 됨",
    in_memory: "저장 안 됨: 메모리에서만 실행 중",
    usage: |used, quota| format!("{quota} 중 {used} 사용"),
    persistent: "영구 저장소",
    best_effort: "브라우저가 저장소를 비울 수 있음",
    read_only_banner: "읽기 전용: 이 플레이그라운드는 다른 탭에서 열려 있고, 그 탭이 저장합니다. 이 탭은 마지막 저장 \
상태를 보여 주고 변경을 따라갑니다. 여기서 작업하려면 다른 탭을 닫으세요.",
    read_only_refusal: "kafkaplay: 읽기 전용: 이 플레이그라운드는 다른 탭에서 열려 있고 그 탭이 저장합니다. 여기서 \
작업하려면 그 탭을 닫으세요",
    refused: "실행하지 않음: 이 탭은 읽기 전용입니다.",
    following: |n| format!("다른 탭의 저장을 {n}번 따라감"),
    quota: "이 사이트의 브라우저 저장 공간이 가득 차서(QuotaExceededError) 플레이그라운드를 저장하지 못했습니다. \
클러스터는 메모리에서 계속 실행되고, 이전에 저장된 내용은 그대로입니다. 다른 플레이그라운드를 지우거나 저장 공간을 \
더 허용하면 저장이 다시 됩니다.",
    save_failed: |m| format!("저장 실패: {m}. 클러스터는 메모리에서 계속 실행됩니다."),
    restored: |at, n| {
        format!("시뮬레이션 시간 {at:.1}초 시점의 저장된 로그에서 다시 시작했습니다: 파티션 레플리카 {n}개 복구, 모든 배치의 CRC 확인.")
    },
    truncated: |b, tp, from, to| {
        format!("브로커 {b}: {tp}의 끝이 찢어져 있어 복구가 잘라냈습니다 (오프셋 {from}부터 {to}까지 잘림).")
    },
    truncated_bytes: |n| format!("찢어지거나 손상된 끝에서 {n}바이트를 잘라냈습니다."),
    damaged: |p| format!("저장된 파일 {p}이(가) 손상되어 손상 지점 뒤는 읽지 않았습니다."),
    list_heading: "이 브라우저의 플레이그라운드",
    open_now: "열림",
    open: "열기",
    delete: "삭제",
    confirm_delete: |n| format!("플레이그라운드 “{n}”과(와) 저장된 모든 것을 삭제할까요?"),
    new_name: "새 플레이그라운드",
    create: "만들기",
    reset: "이 플레이그라운드 초기화",
    confirm_reset: |n| format!("플레이그라운드 “{n}”을(를) 초기화할까요? 클러스터, 기록, 파일이 삭제됩니다."),
    export: "파일로 내보내기",
    import: "파일 가져오기",
    files_heading: "파일",
    partition: "파티션",
    export_partition: "Kafka 세그먼트 파일 내려받기",
    compose: "docker-compose.yml과 create-topics.sh 내려받기",
    compose_note: "kafkaplay export-compose가 쓰는 파일: 이 클러스터를 실제 Kafka로.",
    outcome: |o| match o {
        Outcome::Exported(f) => format!("{f}(으)로 내보냈습니다."),
        Outcome::Imported(n) => format!("플레이그라운드 “{n}”(으)로 가져왔습니다."),
        Outcome::Deleted(n) => format!("플레이그라운드 “{n}”을(를) 삭제했습니다."),
        Outcome::Reset(n) => format!("플레이그라운드 “{n}”을(를) 초기화했습니다."),
        Outcome::Downloaded(files) => format!("{}을(를) 내려받았습니다.", files.join(", ")),
        Outcome::BadName => format!("이름은 1~{NAME_CHARS_MAX}자이며 / 나 \\ 를 쓸 수 없습니다."),
        Outcome::NoPartition => "그 파티션을 가진 실행 중인 브로커가 없습니다.".to_string(),
        Outcome::Failed(m) => format!("실패: {m}"),
    },
};

pub fn text(lang: Lang) -> &'static PersistText {
    lang.pick(&EN, &KO)
}

fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// The status line and the playground menu, for the page's header.
pub fn header(p: &Persist, lang: Lang, partitions: &[PartitionView], on: &Callback<Event>) -> Html {
    let t = text(lang);
    let s = &p.status;
    let ui = |a: Action| Event::Ui(a);
    let saved = if !s.loaded && p.idle() {
        t.in_memory.to_string()
    } else if !s.loaded {
        t.loading.to_string()
    } else {
        s.saved_at_ms
            .map_or(t.not_saved_yet.to_string(), |ms| (t.saved_at)(ms as f64 / 1000.0))
    };
    let usage = s.usage_bytes.map(|(u, q)| (t.usage)(&human_bytes(u), &human_bytes(q)));
    let persistent = s.persistent.map(|p| if p { t.persistent } else { t.best_effort });
    let current = s.name.clone();
    let rows = s.list.iter().map(|name| {
        let is_current = *name == current;
        let (open_name, del_name) = (name.clone(), name.clone());
        let confirm_text = (t.confirm_delete)(name);
        let ondelete = on.reform(move |_| ui(Action::Delete(del_name.clone())));
        html! {
            <li data-testid="playground-item" data-name={name.clone()}>
                <span class="pg-name">{ name.clone() }</span>
                if is_current {
                    <span class="badge active">{ t.open_now }</span>
                } else {
                    <button type="button" class="small" data-testid="playground-open"
                        onclick={on.reform(move |_| ui(Action::Switch(open_name.clone())))}>{ t.open }</button>
                }
                <button type="button" class="small kill" data-testid="playground-delete"
                    onclick={Callback::from(move |e: MouseEvent| if confirm(&confirm_text) { ondelete.emit(e) })}>{ t.delete }</button>
            </li>
        }
    });
    let reset_text = (t.confirm_reset)(&current);
    let onreset = on.reform(move |_| ui(Action::Reset));
    let onimport = {
        let on = on.clone();
        Callback::from(move |e: Event_| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let on = on.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                if let Ok(buf) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                    on.emit(Event::Ui(Action::Import(bytes, name)));
                }
            });
        })
    };
    let onsubmit = on.reform(|e: SubmitEvent| {
        e.prevent_default();
        Event::Ui(Action::New)
    });
    let selected = if p.partition.is_empty() {
        partitions.first().map(|p| p.tp.to_string()).unwrap_or_default()
    } else {
        p.partition.clone()
    };
    let onpartition = {
        let selected = selected.clone();
        on.reform(move |_| Event::Ui(Action::ExportPartition(selected.clone())))
    };
    html! {
        <div class="persist" data-testid="persist-status" data-loaded={s.loaded.to_string()}
            data-writer={s.writer.to_string()} data-commits={s.commits.to_string()}>
            <details class="pg-menu" data-testid="playground-menu" open={p.menu_open}
                ontoggle={on.reform(|e: Event_| Event::Ui(Action::MenuOpen(
                    e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open())))}>
                <summary title={t.menu}>
                    <span class="muted">{ format!("{}: ", t.playground) }</span>
                    <strong data-testid="playground-name">{ s.name.clone() }</strong>
                    <span class="caret" aria-hidden="true">{ " ▾" }</span>
                </summary>
                if p.menu_open {
                <div class="pg-panel">
                    <h3>{ t.list_heading }</h3>
                    <ul class="pg-list" data-testid="playground-list">{ for rows }</ul>
                    <form class="clock-row" novalidate=true {onsubmit}>
                        <label class="inline"><span>{ t.new_name }</span>
                            <input type="text" maxlength="40" value={p.new_name.clone()} data-testid="playground-new-name"
                                oninput={on.reform(|e: InputEvent| Event::Ui(Action::SetNewName(e.target_unchecked_into::<HtmlInputElement>().value())))} />
                        </label>
                        <button type="submit" data-testid="playground-new">{ t.create }</button>
                    </form>
                    <div class="clock-row">
                        <button type="button" data-testid="playground-reset"
                            onclick={Callback::from(move |e: MouseEvent| if confirm(&reset_text) { onreset.emit(e) })}>{ t.reset }</button>
                        <button type="button" data-testid="playground-export" onclick={on.reform(move |_| ui(Action::Export))}>{ t.export }</button>
                        <label class="file-button">
                            <span>{ t.import }</span>
                            <input type="file" accept=".kafkaplay" data-testid="playground-import" onchange={onimport} />
                        </label>
                    </div>
                    <h3>{ t.files_heading }</h3>
                    <div class="clock-row">
                        <label class="inline"><span>{ t.partition }</span>
                            <select data-testid="export-partition-select"
                                onchange={on.reform(|e: Event_| Event::Ui(Action::SetPartition(e.target_unchecked_into::<HtmlSelectElement>().value())))}>
                                { for partitions.iter().map(|p| {
                                    let v = p.tp.to_string();
                                    html! { <option value={v.clone()} selected={v == selected}>{ v }</option> }
                                }) }
                            </select>
                        </label>
                        <button type="button" data-testid="export-partition" disabled={partitions.is_empty()}
                            onclick={onpartition}>{ t.export_partition }</button>
                    </div>
                    <div class="clock-row">
                        <button type="button" data-testid="export-compose" onclick={on.reform(move |_| ui(Action::ExportCompose))}>{ t.compose }</button>
                    </div>
                    <p class="note">{ t.compose_note }</p>
                    if let Some(o) = &s.outcome {
                        <p class="note" role="status" data-testid="persist-outcome">{ (t.outcome)(o) }</p>
                    }
                </div>
                }
            </details>
            <p class="note persist-line">
                <span data-testid="persist-saved">{ saved }</span>
                if let Some(u) = usage { { " · " }<span class="num" data-testid="persist-usage">{ u }</span> }
                if let Some(p) = persistent { { " · " }<span data-testid="persist-persistent">{ p }</span> }
            </p>
        </div>
    }
}

type Event_ = web_sys::Event;

/// Above the cluster: the read-only banner, a refused command, save errors
/// and what the restart from storage found.
pub fn banner(p: &Persist, lang: Lang) -> Html {
    let t = text(lang);
    let s = &p.status;
    let restored = s.restored.as_ref().map(|r: &RestoreReport| {
        html! {
            <div class="notice info" data-testid="restore-report" data-truncated-bytes={r.truncated_bytes.to_string()}
                data-restored-at={format!("{:.1} s", s.restored_at_ms as f64 / 1000.0)}>
                <p>{ (t.restored)(s.restored_at_ms as f64 / 1000.0, r.partitions) }</p>
                { for r.truncated.iter().map(|(b, tp, from, to)| html! {
                    <p data-testid="restore-truncated">{ (t.truncated)(*b, &tp.to_string(), *from, *to) }</p>
                }) }
                if r.truncated_bytes > 0 { <p>{ (t.truncated_bytes)(r.truncated_bytes) }</p> }
                { for s.damaged_files.iter().map(|f| html! { <p>{ (t.damaged)(f) }</p> }) }
            </div>
        }
    });
    html! {
        <>
            if p.read_only() {
                <div class="notice readonly-banner" role="status" data-testid="readonly-banner"
                    data-follows={s.follows.to_string()}>
                    <strong>{ t.read_only_banner }</strong>
                    if s.follows > 0 { <span class="muted">{ format!(" ({})", (t.following)(s.follows)) }</span> }
                    if s.refused { <p class="refused" data-testid="readonly-refused">{ t.refused }</p> }
                </div>
            }
            if let Some(e) = &s.error {
                <p class="notice error persist-error" role="alert" data-testid="persist-error">
                    { match e { PersistError::Quota => t.quota.to_string(), PersistError::Other(m) => (t.save_failed)(m) } }
                </p>
            }
            // A read-only tab reloads on every save of the writer; the banner says so.
            if !p.read_only() { { restored.unwrap_or_default() } }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_shown_in_decimal_units() {
        assert_eq!(human_bytes(812.0), "812 B");
        assert_eq!(human_bytes(1_234_567.0), "1.2 MB");
        assert_eq!(human_bytes(10e9), "10.0 GB");
    }

    #[test]
    fn every_outcome_has_a_text_in_both_languages() {
        for o in [
            Outcome::Exported("a.kafkaplay".into()),
            Outcome::Imported("a".into()),
            Outcome::Deleted("a".into()),
            Outcome::Reset("a".into()),
            Outcome::Downloaded(vec!["docker-compose.yml".into()]),
            Outcome::BadName,
            Outcome::NoPartition,
            Outcome::Failed("x".into()),
        ] {
            assert!(!(EN.outcome)(&o).is_empty());
            assert!(!(KO.outcome)(&o).is_empty());
        }
    }
}
