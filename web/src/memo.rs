//! Parts of the page that a redraw skips while what they show is unchanged.
//!
//! While the clock runs the page redraws every 100 ms, and most of it has not
//! changed in that time: with 1,000 partitions, the topic tables and the
//! message browser are about 900 of the page's elements, and building their
//! virtual DOM and comparing it with the last one was most of a redraw's
//! script time (BENCHMARKS.md, the frame budget).
//!
//! A [`Memo`] keeps one part's last content together with the *model* it was
//! built from: everything the content shows, and every value its callbacks
//! capture. Given an equal model the content is not built again, and the
//! [`Frozen`] component that holds it gets props that compare equal, so Yew
//! neither renders nor diffs that part of the page.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;
use yew::virtual_dom::VList;

/// The last content of one part of the page and the model it shows.
pub struct Memo<M> {
    last: RefCell<Option<(Rc<M>, Html)>>,
}

impl<M> Default for Memo<M> {
    fn default() -> Self {
        Memo {
            last: RefCell::new(None),
        }
    }
}

impl<M: PartialEq + 'static> Memo<M> {
    /// The part for `model`: `build` runs only when the model differs from
    /// the last one.
    pub fn view(&self, model: M, build: impl FnOnce(&M) -> Html) -> Html {
        let mut last = self.last.borrow_mut();
        let (model, content) = match last.take() {
            Some((m, content)) if *m == model => (m, content),
            _ => {
                // In a list, so that keeping it is an `Rc` clone, not a deep copy.
                let content: Html = VList::with_children(vec![build(&model)], None).into();
                (Rc::new(model), content)
            }
        };
        *last = Some((model.clone(), content.clone()));
        html! { <Frozen<M> {model} {content} /> }
    }
}

#[derive(Properties)]
pub struct FrozenProps<M: PartialEq + 'static> {
    pub model: Rc<M>,
    pub content: Html,
}

/// Equal when the models are: the content follows from the model.
impl<M: PartialEq> PartialEq for FrozenProps<M> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.model, &other.model) || self.model == other.model
    }
}

/// Shows its content; rendered again only when its model changes.
#[function_component]
pub fn Frozen<M: PartialEq + 'static>(props: &FrozenProps<M>) -> Html {
    props.content.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn builds_again_only_for_a_different_model() {
        let memo = Memo::<(u32, String)>::default();
        let builds = Cell::new(0);
        let build = |m: &(u32, String)| {
            builds.set(builds.get() + 1);
            html! { <p>{ m.1.clone() }</p> }
        };
        let _ = memo.view((1, "a".into()), build);
        let _ = memo.view((1, "a".into()), build);
        assert_eq!(builds.get(), 1, "an equal model is not built again");
        let _ = memo.view((2, "a".into()), build);
        let _ = memo.view((1, "a".into()), build);
        assert_eq!(builds.get(), 3, "a changed model is, and so is going back");
    }

    #[test]
    fn props_compare_by_model_not_content() {
        let a = FrozenProps {
            model: Rc::new(7),
            content: html! { <p>{ "one" }</p> },
        };
        let b = FrozenProps {
            model: Rc::new(7),
            content: Html::default(),
        };
        let c = FrozenProps {
            model: Rc::new(8),
            content: Html::default(),
        };
        assert!(a == b);
        assert!(a != c);
    }
}
