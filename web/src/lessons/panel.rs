//! `<LessonPanel>`: the guided lessons beside the terminal. Pick a lesson; the
//! current step says what to do (with its command, which a button types into
//! the terminal), waits until its check passes on the real cluster, then
//! explains what happened. Previous/Next and the step dots move between steps;
//! changes are announced in an `aria-live` region.
//!
//! The panel looks at the shell whenever the page renders (each clock tick
//! and after each command): the shell changes inside its `RefCell`, which
//! props cannot compare, so the props never compare equal and
//! [`Component::changed`] decides whether anything shown has changed.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::content::LESSONS;
use super::{Bi, Command, PageAction, Progress};
use crate::i18n::Lang;
use crate::terminal::SharedShell;

#[derive(Properties, Clone)]
pub struct LessonPanelProps {
    /// The page's shell (the terminal's), over the page's cluster.
    pub shell: SharedShell,
    pub lang: Lang,
    /// A step's page action (a new cluster, the consumer form filled in),
    /// done by the page.
    #[prop_or_default]
    pub on_action: Callback<PageAction>,
    /// The lesson shown first (its id, e.g. `rf1-broker-down`); the first
    /// lesson when `None` or unknown.
    #[prop_or_default]
    pub lesson: Option<AttrValue>,
    /// Called when a step's check passes on the cluster (not when the learner
    /// only moves to a step done before).
    #[prop_or_default]
    pub on_step_done: Callback<StepDone>,
    /// Only the lessons without page actions ([`super::terminal_only`]): a
    /// docs widget has no consumer form and no new-cluster button, so its
    /// lesson select and "next lesson" offer only those.
    #[prop_or_default]
    pub terminal_only: bool,
}

/// A lesson step whose check just passed (the widget sends it to its page
/// as the `lesson-step-done` event's detail, hence camelCase).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepDone {
    pub lesson: &'static str,
    /// 0-based.
    pub step: usize,
    pub title: &'static str,
    /// Every step of the lesson is done.
    pub lesson_complete: bool,
}

impl PartialEq for LessonPanelProps {
    /// Never equal: see the module doc.
    fn eq(&self, _other: &Self) -> bool {
        false
    }
}

pub enum Msg {
    Select(usize),
    GoTo(usize),
    Next,
    Previous,
    /// Puts the step's command in the terminal's line (not run: Enter runs it).
    TypeCommand,
    /// The current step's page action button.
    PageAction(PageAction),
}

pub struct LessonPanel {
    progress: Option<Progress>,
    /// The lesson the progress starts with (`LessonPanelProps::lesson`).
    initial: usize,
    /// The panel's element: the terminal it types into is found from its
    /// root (the document, or a widget's shadow root).
    root: NodeRef,
    shell: SharedShell,
    lang: Lang,
    /// What the live region says.
    announcement: String,
    /// The command shown at the last render.
    command: Option<String>,
}

struct Text {
    heading: &'static str,
    choose: &'static str,
    steps_label: &'static str,
    step_of: fn(usize, usize) -> String,
    type_it: &'static str,
    type_it_label: &'static str,
    waiting: &'static str,
    no_command_yet: &'static str,
    done: &'static str,
    previous: &'static str,
    next: &'static str,
    next_lesson: &'static str,
    progress: fn(usize, usize) -> String,
    complete: &'static str,
    announce_done: fn(usize, &str) -> String,
    announce_step: fn(usize, usize, &str) -> String,
    dot_label: fn(usize, &str, bool) -> String,
    busy: &'static str,
    failed: fn(i32) -> String,
    waiting_page: &'static str,
    new_cluster: fn(i32) -> String,
    consumer_form: fn(&str, &str) -> String,
    fill_form: &'static str,
    stop_consumer: fn(&str) -> String,
}

const EN: Text = Text {
    heading: "Lessons",
    choose: "Lesson",
    steps_label: "Steps",
    step_of: |n, total| format!("Step {n} of {total}"),
    type_it: "Type it",
    type_it_label: "Type this command into the terminal",
    waiting: "Waiting: do this in the terminal.",
    no_command_yet: "(the command appears once the topic exists)",
    done: "Done",
    previous: "Previous",
    next: "Next",
    next_lesson: "Next lesson",
    progress: |done, total| format!("{done} of {total} done"),
    complete: "Lesson complete.",
    announce_done: |n, title| format!("Step {n} done: {title}."),
    announce_step: |n, total, title| format!("Step {n} of {total}: {title}."),
    dot_label: |n, title, done| format!("Step {n}: {title}{}", if done { " (done)" } else { "" }),
    busy: "The shell is busy.",
    failed: |status| format!("The last command failed (exit status {status}): see the terminal."),
    waiting_page: "Waiting: do this on the page.",
    new_cluster: |n| format!("New playground with {n} controllers"),
    consumer_form: |group, topic| format!("Consumer groups panel: group id {group}, topic {topic}, Start consumer."),
    fill_form: "Fill in the consumer form",
    stop_consumer: |group| format!("Consumer groups panel: Stop on one of the {group} consumers."),
};

const KO: Text = Text {
    heading: "레슨",
    choose: "레슨 선택",
    steps_label: "단계",
    step_of: |n, total| format!("{total}단계 중 {n}단계"),
    type_it: "입력하기",
    type_it_label: "이 명령어를 터미널에 입력",
    waiting: "기다리는 중: 터미널에서 실행해 보세요.",
    no_command_yet: "(토픽이 생기면 명령어가 나타납니다)",
    done: "완료",
    previous: "이전",
    next: "다음",
    next_lesson: "다음 레슨",
    progress: |done, total| format!("{total}단계 중 {done}단계 완료"),
    complete: "레슨을 마쳤습니다.",
    announce_done: |n, title| format!("{n}단계 완료: {title}."),
    announce_step: |n, total, title| format!("{total}단계 중 {n}단계: {title}."),
    dot_label: |n, title, done| format!("{n}단계: {title}{}", if done { " (완료)" } else { "" }),
    busy: "셸이 사용 중입니다.",
    failed: |status| format!("마지막 명령이 실패했습니다(종료 코드 {status}). 터미널 출력을 확인하세요."),
    waiting_page: "기다리는 중: 페이지에서 해 보세요.",
    new_cluster: |n| format!("컨트롤러 {n}대로 새 플레이그라운드"),
    consumer_form: |group, topic| format!("'컨슈머 그룹' 패널: 그룹 ID {group}, 토픽 {topic}, '컨슈머 시작'."),
    fill_form: "컨슈머 양식 채우기",
    stop_consumer: |group| format!("'컨슈머 그룹' 패널: {group} 컨슈머 하나의 '중지'."),
};

fn text(lang: Lang) -> &'static Text {
    lang.pick(&EN, &KO)
}

/// Text with `` `code` `` spans.
fn rich(s: &str) -> Html {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                html! { <code>{ part.to_string() }</code> }
            } else {
                html! { { part.to_string() } }
            }
        })
        .collect()
}

fn paragraphs(s: Bi, lang: Lang) -> Html {
    s.get(lang)
        .split("\n\n")
        .map(|p| html! { <p>{ rich(p.trim()) }</p> })
        .collect()
}

/// Focuses the consumer-groups panel's Start consumer button (its form was
/// just filled in).
fn focus_consumer_start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(element)) = document.query_selector("[data-testid=consumer-start]") {
        if let Ok(button) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = button.focus();
        }
    }
}

/// Puts `command` in the terminal's line as if typed (an `input` event, which
/// the terminal listens to) and focuses it.
fn type_into_terminal(panel: &NodeRef, command: &str) {
    // The terminal beside this panel: in its document, or in the shadow root
    // of the widget it is in (a page may hold several).
    let Some(root) = panel.cast::<web_sys::Element>().map(|e| e.get_root_node()) else {
        return;
    };
    const INPUT: &str = "[data-testid=terminal-input]";
    let found = match root.dyn_ref::<web_sys::Document>() {
        Some(document) => document.query_selector(INPUT),
        None => match root.dyn_ref::<web_sys::DocumentFragment>() {
            Some(fragment) => fragment.query_selector(INPUT),
            None => return,
        },
    };
    let Ok(Some(element)) = found else {
        return;
    };
    let Ok(input) = element.dyn_into::<web_sys::HtmlTextAreaElement>() else {
        return;
    };
    input.set_value(command);
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    if let Ok(event) = web_sys::InputEvent::new_with_event_init_dict("input", &init) {
        let _ = input.dispatch_event(&event);
    }
    let _ = input.focus();
    let end = command.encode_utf16().count() as u32;
    let _ = input.set_selection_range(end, end);
}

impl LessonPanel {
    /// Runs `f` on the progress with the shell; `None` while the shell is busy.
    fn with<R>(&mut self, f: impl FnOnce(&mut Progress, &kafkaplay_shell::Shell) -> R) -> Option<R> {
        let shell = self.shell.try_borrow().ok()?;
        let initial = self.initial;
        let progress = self.progress.get_or_insert_with(|| Progress::new(initial, &shell));
        Some(f(progress, &shell))
    }

    fn announce_current(&mut self) {
        let t = text(self.lang);
        let lang = self.lang;
        if let Some(p) = &self.progress {
            let n = p.lesson().steps.len();
            let title = p.current().title.get(lang);
            let mut s = (t.announce_step)(p.step + 1, n, title);
            if p.is_done(p.step) {
                s.push(' ');
                s.push_str(t.done);
                s.push('.');
            }
            self.announcement = s;
        }
    }

    fn announce_done(&mut self) {
        let t = text(self.lang);
        let lang = self.lang;
        if let Some(p) = &self.progress {
            let mut s = (t.announce_done)(p.step + 1, p.current().title.get(lang));
            if p.done_count() == p.lesson().steps.len() {
                s.push(' ');
                s.push_str(t.complete);
            }
            self.announcement = s;
        }
    }
}

/// Whether the panel offers `LESSONS[index]` (see `terminal_only`).
fn offered(props: &LessonPanelProps, index: usize) -> bool {
    LESSONS
        .get(index)
        .is_some_and(|l| !props.terminal_only || l.terminal_only())
}

impl Component for LessonPanel {
    type Message = Msg;
    type Properties = LessonPanelProps;

    fn create(ctx: &Context<Self>) -> Self {
        let props = ctx.props();
        let initial = props
            .lesson
            .as_ref()
            .and_then(|id| LESSONS.iter().position(|l| l.id == id.as_str()))
            .unwrap_or(0);
        LessonPanel {
            // Made at the first look, after the terminal restored its history.
            progress: None,
            initial,
            root: NodeRef::default(),
            shell: props.shell.clone(),
            lang: props.lang,
            announcement: String::new(),
            command: None,
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, _old: &Self::Properties) -> bool {
        let props = ctx.props();
        let mut render = false;
        if props.lang != self.lang {
            self.lang = props.lang;
            render = true;
        }
        if !Rc::ptr_eq(&props.shell, &self.shell) {
            // A new cluster: the lesson starts over on it.
            self.shell = props.shell.clone();
            if let Some(p) = &mut self.progress {
                if let Ok(shell) = self.shell.try_borrow() {
                    p.restart(&shell);
                }
            }
            return true;
        }
        let lang = self.lang;
        let Some((done, command, failed_changed)) = self.with(|p, shell| {
            let failed = p.last_failed();
            let done = p.observe(shell).then(|| StepDone {
                lesson: p.lesson().id,
                step: p.step,
                title: p.current().title.get(lang),
                lesson_complete: p.done_count() == p.lesson().steps.len(),
            });
            (done, p.command_text(shell), p.last_failed() != failed)
        }) else {
            return render;
        };
        render |= failed_changed;
        if let Some(step) = done {
            self.announce_done();
            ctx.props().on_step_done.emit(step);
            render = true;
        }
        if command != self.command {
            self.command = command;
            render = true;
        }
        render
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        if let Msg::PageAction(action) = msg {
            ctx.props().on_action.emit(action);
            if let PageAction::StartConsumer { .. } = action {
                focus_consumer_start();
            }
            return false;
        }
        if let Msg::TypeCommand = msg {
            if let Some(command) = self.with(|p, shell| p.command_text(shell)).flatten() {
                type_into_terminal(&self.root, &command);
            }
            return false;
        }
        if let Msg::Select(i) = msg {
            if !offered(ctx.props(), i) {
                return false;
            }
        }
        let done = self.with(|p, shell| match msg {
            Msg::Select(i) => p.select(i, shell),
            Msg::GoTo(i) => p.go_to(i, shell),
            Msg::Next => p.next(shell),
            Msg::Previous => p.previous(shell),
            Msg::TypeCommand | Msg::PageAction(_) => false,
        });
        match done {
            Some(true) => self.announce_done(),
            Some(false) => self.announce_current(),
            None => self.announcement = text(self.lang).busy.to_string(),
        }
        self.command = self.with(|p, shell| p.command_text(shell)).flatten();
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let t = text(lang);
        let link = ctx.link();
        let (lesson_index, step, done_flags, failed) = match &self.progress {
            Some(p) => (
                p.lesson,
                p.step,
                (0..p.lesson().steps.len()).map(|i| p.is_done(i)).collect::<Vec<bool>>(),
                p.last_failed(),
            ),
            None => (0, 0, vec![false; LESSONS.first().map_or(0, |l| l.steps.len())], None),
        };
        let Some(lesson) = LESSONS.get(lesson_index) else {
            return html! {};
        };
        let total = lesson.steps.len();
        let current = &lesson.steps[step.min(total.saturating_sub(1))];
        let done = done_flags.get(step).copied().unwrap_or(false);
        let done_count = done_flags.iter().filter(|d| **d).count();
        // Before the first look, a fixed command is known already.
        let command = self.command.clone().or_else(|| match current.command {
            Some(Command::Fixed(s)) => Some(s.to_string()),
            _ => None,
        });

        let onchange = link.batch_callback(|e: Event| {
            let select = e.target_dyn_into::<web_sys::HtmlSelectElement>()?;
            select.value().parse().ok().map(Msg::Select)
        });
        let dots = lesson.steps.iter().enumerate().map(|(i, s)| {
            let is_done = done_flags.get(i).copied().unwrap_or(false);
            let label = (t.dot_label)(i + 1, s.title.get(lang), is_done);
            html! {
                <li>
                    <button type="button"
                        class={classes!("lesson-dot", is_done.then_some("done"), (i == step).then_some("current"))}
                        aria-label={label.clone()} title={label}
                        aria-current={(i == step).then_some("step")}
                        data-testid="lesson-dot"
                        onclick={link.callback(move |_| Msg::GoTo(i))}>
                        { if is_done { "✓".to_string() } else { (i + 1).to_string() } }
                    </button>
                </li>
            }
        });
        let heading_id = "lesson-step-heading";
        let next_lesson = (lesson_index + 1..LESSONS.len()).find(|i| offered(ctx.props(), *i));
        html! {
            <section ref={self.root.clone()} class="card lessons" aria-labelledby="lessons-heading" data-testid="lessons" data-lesson={lesson.id}>
                <div class="lessons-head">
                    <h2 id="lessons-heading">{ t.heading }</h2>
                    <label class="inline">
                        <span class="visually-hidden">{ t.choose }</span>
                        <select data-testid="lesson-select" aria-label={t.choose} {onchange}>
                            { for LESSONS.iter().enumerate().filter(|(i, _)| offered(ctx.props(), *i)).map(|(i, l)| html! {
                                <option value={i.to_string()} selected={i == lesson_index}>{ l.title.get(lang) }</option>
                            }) }
                        </select>
                    </label>
                </div>
                <p class="lesson-intro">{ rich(lesson.intro.get(lang)) }</p>
                <ol class="lesson-dots" aria-label={t.steps_label}>{ for dots }</ol>
                <div class={classes!("lesson-step", if done { "done" } else { "waiting" })}
                    data-testid="lesson-step" data-step={(step + 1).to_string()}
                    data-state={if done { "done" } else { "waiting" }}
                    aria-labelledby={heading_id}>
                    <p class="lesson-step-of">{ (t.step_of)(step + 1, total) }</p>
                    <h3 id={heading_id} data-testid="lesson-step-title">{ current.title.get(lang) }</h3>
                    <p data-testid="lesson-instruction">{ rich(current.instruction.get(lang)) }</p>
                    if let Some(Command::Page(action)) = current.command {
                        <div class="lesson-command lesson-page" data-testid="lesson-page">
                            { match action {
                                PageAction::NewCluster { controllers } => html! {
                                    <button type="button" class="primary" data-testid="lesson-page-action" disabled={done}
                                        onclick={link.callback(move |_| Msg::PageAction(action))}>{ (t.new_cluster)(controllers) }</button>
                                },
                                PageAction::StartConsumer { group, topic } => html! { <>
                                    <p class="note">{ (t.consumer_form)(group, topic) }</p>
                                    if !done {
                                        <button type="button" data-testid="lesson-page-action"
                                            onclick={link.callback(move |_| Msg::PageAction(action))}>{ t.fill_form }</button>
                                    }
                                </> },
                                PageAction::StopConsumer { group } => html! {
                                    <p class="note">{ (t.stop_consumer)(group) }</p>
                                },
                            } }
                        </div>
                    } else if current.command.is_some() {
                        <div class="lesson-command">
                            if let Some(command) = &command {
                                <pre><code data-testid="lesson-command">{ command.clone() }</code></pre>
                                // Done: nothing left to type (and `exit` typed again would leave the shell).
                                if !done {
                                <button type="button" data-testid="lesson-type" aria-label={t.type_it_label}
                                    title={t.type_it_label}
                                    onclick={link.callback(|_| Msg::TypeCommand)}>{ t.type_it }</button>
                                }
                            } else {
                                <p class="note">{ t.no_command_yet }</p>
                            }
                        </div>
                    }
                    <p class={classes!("lesson-status", if done { "done" } else { "waiting" })} data-testid="lesson-status">
                        if done {
                            <span aria-hidden="true">{ "✓ " }</span>{ t.done }
                        } else {
                            <span class="spinner" aria-hidden="true"></span>
                            { if matches!(current.command, Some(Command::Page(_))) { t.waiting_page } else { t.waiting } }
                        }
                    </p>
                    if let (false, Some(status)) = (done, failed) {
                        <p class="note lesson-failed" data-testid="lesson-failed">{ (t.failed)(status) }</p>
                    }
                    if done {
                        <div class="lesson-explanation" data-testid="lesson-explanation">
                            { paragraphs(current.explanation, lang) }
                        </div>
                    }
                </div>
                <div class="lesson-nav">
                    <button type="button" data-testid="lesson-previous" disabled={step == 0}
                        onclick={link.callback(|_| Msg::Previous)}>{ format!("← {}", t.previous) }</button>
                    <span class="lesson-progress" data-testid="lesson-progress">
                        { (t.progress)(done_count, total) }
                        if done_count == total { { format!(" · {}", t.complete) } }
                    </span>
                    if step + 1 < total || next_lesson.is_none() {
                        <button type="button" data-testid="lesson-next" disabled={step + 1 >= total}
                            class={classes!(done.then_some("go"))}
                            onclick={link.callback(|_| Msg::Next)}>{ format!("{} →", t.next) }</button>
                    } else {
                        <button type="button" data-testid="lesson-next-lesson"
                            class={classes!(done.then_some("go"))}
                            onclick={link.callback(move |_| Msg::Select(next_lesson.unwrap_or(lesson_index)))}>{ format!("{} →", t.next_lesson) }</button>
                    }
                </div>
                <p class="visually-hidden" role="status" aria-live="polite" data-testid="lesson-announce">
                    { self.announcement.clone() }
                </p>
            </section>
        }
    }
}
