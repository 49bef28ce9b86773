//! `persist="namespace"`: a widget's cluster kept in this browser's IndexedDB
//! (`kafkaplay-storage-idb`), so a reader who reloads the docs page finds the
//! cluster as they left it: a restart of every broker from what it had
//! flushed, as the playground page restores (`Simulation::restore`). Off by
//! default: a fresh cluster each load.
//!
//! The database is the storage engine's playground `widget:<namespace>`.
//! The widget starts its scenario at once; if the namespace holds a cluster,
//! that replaces it when opened (the scenario's commands are not typed
//! again). It saves every [`SAVE_MS`], when the page is hidden, and once more
//! when the widget is removed. Two widgets (or tabs) with one namespace: the
//! first holds the engine's writer lock and saves; the others show the
//! cluster they started with and save nothing.

use kafkaplay_cluster::Simulation;
use yew::Callback;

/// How often the widget saves (real ms).
pub const SAVE_MS: i32 = 5_000;

/// The engine's playground name for a namespace.
pub fn database_name(namespace: &str) -> String {
    format!("widget:{namespace}")
}

/// What the widget shows of its saving.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Status {
    #[default]
    Opening,
    /// Saves here (the number of commits so far).
    Saving(u32),
    /// Another widget or tab with the same namespace saves it.
    ReadOnly,
    Failed(String),
}

pub enum Event {
    /// The namespace opened: the engine and the stored cluster, if any.
    Opened(Box<Result<(imp::Engine, Option<Simulation>), String>>),
    Save,
    Saved(Box<imp::Engine>, Result<(), String>),
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;

    use kafkaplay_shell::Shell;
    use wasm_bindgen::JsCast;
    use yew::Callback;

    pub use kafkaplay_storage_idb::Playground as Engine;

    use super::{Event, Status, SAVE_MS};

    pub struct Saver {
        engine: Option<Engine>,
        busy: bool,
        pub status: Status,
        on_event: Callback<Event>,
        _timer: Option<kafkaplay_web::browser::Interval>,
        hidden: Option<(web_sys::Document, wasm_bindgen::closure::Closure<dyn FnMut()>)>,
    }

    impl Saver {
        pub fn start(namespace: &str, on_event: Callback<Event>) -> Saver {
            let name = super::database_name(namespace);
            let cb = on_event.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let opened = match Engine::open(&name).await {
                    Ok(mut engine) => match engine.restore_cluster() {
                        Ok(stored) => Ok((engine, stored.map(|(sim, _report)| sim))),
                        Err(e) => Err(e.message),
                    },
                    Err(e) => Err(e.message),
                };
                cb.emit(Event::Opened(Box::new(opened)));
            });
            let timer = {
                let cb = on_event.clone();
                kafkaplay_web::browser::Interval::new(SAVE_MS, move || cb.emit(Event::Save))
            };
            let hidden = web_sys::window().and_then(|w| w.document()).and_then(|doc| {
                let cb = on_event.clone();
                let d = doc.clone();
                let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                    if d.visibility_state() == web_sys::VisibilityState::Hidden {
                        cb.emit(Event::Save);
                    }
                });
                doc.add_event_listener_with_callback("visibilitychange", closure.as_ref().unchecked_ref())
                    .ok()
                    .map(|()| (doc, closure))
            });
            Saver {
                engine: None,
                busy: true,
                status: Status::Opening,
                on_event,
                _timer: timer,
                hidden,
            }
        }

        /// Handles one event; returns the stored cluster when the namespace held one.
        pub fn handle(
            &mut self,
            event: Event,
            shell: Option<&Rc<RefCell<Shell>>>,
        ) -> Option<kafkaplay_cluster::Simulation> {
            match event {
                Event::Opened(opened) => match *opened {
                    Ok((engine, stored)) => {
                        self.busy = false;
                        self.status = if engine.is_writer() {
                            Status::Saving(0)
                        } else {
                            Status::ReadOnly
                        };
                        self.engine = Some(engine);
                        stored
                    }
                    Err(message) => {
                        self.busy = false;
                        self.status = Status::Failed(message);
                        None
                    }
                },
                Event::Save => {
                    if let Some(shell) = shell {
                        self.save(shell, true);
                    }
                    None
                }
                Event::Saved(engine, result) => {
                    self.busy = false;
                    self.engine = Some(*engine);
                    self.status = match (result, &self.status) {
                        (Ok(()), Status::Saving(n)) => Status::Saving(n + 1),
                        (Ok(()), _) => Status::Saving(1),
                        (Err(message), _) => Status::Failed(message),
                    };
                    None
                }
            }
        }

        /// Commits the cluster now if no commit is under way. `report`: tell
        /// the widget when done (not after its removal: the commit then
        /// finishes on its own and the engine is closed).
        pub fn save(&mut self, shell: &Rc<RefCell<Shell>>, report: bool) {
            if self.busy || !matches!(self.status, Status::Saving(_)) {
                return;
            }
            let Some(mut engine) = self.engine.take() else { return };
            let Ok(shell) = shell.try_borrow() else {
                self.engine = Some(engine);
                return;
            };
            let pending = engine.begin_commit(Some(&shell.world().sim), None);
            drop(shell);
            self.busy = true;
            let cb = self.on_event.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match pending {
                    Ok(p) => engine.finish_commit(p).await.map(|_| ()).map_err(|e| e.message),
                    Err(e) => Err(e.message),
                };
                if report {
                    cb.emit(Event::Saved(Box::new(engine), result));
                } else {
                    engine.close();
                }
            });
        }

        /// The widget is being removed: a last save, then the engine closes.
        pub fn finish(&mut self, shell: Option<&Rc<RefCell<Shell>>>) {
            if let Some(shell) = shell {
                self.save(shell, false);
            }
            if let Some(engine) = self.engine.take() {
                engine.close();
            }
        }
    }

    impl Drop for Saver {
        fn drop(&mut self) {
            if let Some((doc, closure)) = self.hidden.take() {
                let _ = doc.remove_event_listener_with_callback("visibilitychange", closure.as_ref().unchecked_ref());
            }
        }
    }
}

/// Natively there is no IndexedDB: the widget's tests never persist.
#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;

    use kafkaplay_shell::Shell;

    use super::{Event, Status};

    pub enum Engine {}

    pub struct Saver {
        pub status: Status,
    }

    impl Saver {
        pub fn start(_namespace: &str, _on_event: yew::Callback<Event>) -> Saver {
            Saver {
                status: Status::Failed("no IndexedDB outside a browser".into()),
            }
        }
        pub fn handle(
            &mut self,
            _event: Event,
            _shell: Option<&Rc<RefCell<Shell>>>,
        ) -> Option<kafkaplay_cluster::Simulation> {
            None
        }
        pub fn finish(&mut self, _shell: Option<&Rc<RefCell<Shell>>>) {}
    }
}

pub use imp::Saver;

/// Starts saving under `namespace`; events come back through `on_event`.
pub fn start(namespace: &str, on_event: Callback<Event>) -> Saver {
    Saver::start(namespace, on_event)
}
