//! The widget's own texts in English and Korean (the node boxes and the
//! terminal bring theirs from the app's `i18n_play`).

use kafkaplay_web::i18n::Lang;

pub struct Text {
    pub play: &'static str,
    pub pause: &'static str,
    pub clock: &'static str,
    pub read_only: &'static str,
    pub failed: &'static str,
    pub partition: &'static str,
    pub offset: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub no_records: &'static str,
    pub offline: &'static str,
    pub no_topics: &'static str,
    pub persist_opening: &'static str,
    pub persist_saved: &'static str,
    pub persist_read_only: &'static str,
    pub persist_failed: &'static str,
}

impl Text {
    /// The saving status in the widget's bar.
    pub fn persist(&self, status: &crate::persist::Status) -> String {
        use crate::persist::Status;
        match status {
            Status::Opening => self.persist_opening.to_string(),
            Status::Saving(_) => self.persist_saved.to_string(),
            Status::ReadOnly => self.persist_read_only.to_string(),
            Status::Failed(why) => format!("{} {why}", self.persist_failed),
        }
    }
}

const EN: Text = Text {
    play: "▶ Play",
    pause: "❚❚ Pause",
    clock: "Simulated time",
    read_only: "This example is read-only: it shows, you watch.",
    failed: "This widget could not start:",
    partition: "Partition",
    offset: "Offset",
    key: "Key",
    value: "Value",
    no_records: "No records yet.",
    offline: "The partition is offline: no leader holds its log.",
    no_topics: "No topics yet.",
    persist_opening: "Opening the saved cluster…",
    persist_saved: "Kept in this browser",
    persist_read_only: "Shown, not saved: another widget or tab with this namespace saves it",
    persist_failed: "Not saved:",
};

const KO: Text = Text {
    play: "▶ 재생",
    pause: "❚❚ 일시정지",
    clock: "시뮬레이션 시간",
    read_only: "읽기 전용 예제입니다. 보기만 할 수 있습니다.",
    failed: "위젯을 시작하지 못했습니다:",
    partition: "파티션",
    offset: "오프셋",
    key: "키",
    value: "값",
    no_records: "아직 레코드가 없습니다.",
    offline: "파티션이 오프라인입니다. 로그를 가진 리더가 없습니다.",
    no_topics: "아직 토픽이 없습니다.",
    persist_opening: "저장된 클러스터를 여는 중…",
    persist_saved: "이 브라우저에 저장됨",
    persist_read_only: "저장하지 않음: 같은 이름의 다른 위젯이나 탭이 저장합니다",
    persist_failed: "저장하지 못함:",
};

pub fn of(lang: Lang) -> &'static Text {
    lang.pick(&EN, &KO)
}
