//! Work spread over the machine's cores: a map over a slice on scoped worker threads, results
//! in item order whatever order the work finished in, so that output does not depend on the
//! number of threads.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many worker threads `threads` asks for: 0 means one per core (at most 8).
pub fn thread_count(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from).min(8),
        n => n,
    }
}

/// A pool's shape.
#[derive(Clone, Copy, Debug)]
pub struct Workers<'a> {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Stack bytes per worker; 0 for the default.
    pub stack: usize,
    /// Thread name, for panics and profilers.
    pub name: &'a str,
}

/// Runs `work` on every item on worker threads, returning the results in item order. An item
/// whose work panicked, or that no thread could take because none could start, gives None:
/// the caller says what that means for it.
pub fn map<'i, I: Sync, T: Send>(
    items: &'i [I],
    workers: Workers<'_>,
    work: impl Fn(&'i I) -> T + Sync,
) -> Vec<Option<T>> {
    run(items, workers, &work).into_iter().map(|result| result.and_then(Result::ok)).collect()
}

/// [`map`] for work whose panic is the caller's: the first item (in item order) whose work
/// panicked panics again here, with its own payload, once all threads have stopped; an item no
/// thread could take is worked on here.
pub fn map_all<'i, I: Sync, T: Send>(
    items: &'i [I],
    workers: Workers<'_>,
    work: impl Fn(&'i I) -> T + Sync,
) -> Vec<T> {
    let results = run(items, workers, &work);
    results
        .into_iter()
        .zip(items)
        .map(|(result, item)| match result {
            Some(Ok(value)) => value,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => work(item),
        })
        .collect()
}

/// The outcome of `work` on each item: None where no thread took it.
fn run<'i, I: Sync, T: Send>(
    items: &'i [I],
    workers: Workers<'_>,
    work: &(impl Fn(&'i I) -> T + Sync),
) -> Vec<Option<std::thread::Result<T>>> {
    let threads = thread_count(workers.threads).clamp(1, items.len().max(1));
    if threads == 1 && workers.stack == 0 {
        return items.iter().map(|item| Some(catch_unwind(AssertUnwindSafe(|| work(item))))).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<std::thread::Result<T>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    let run = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { break };
            let result = catch_unwind(AssertUnwindSafe(|| work(item)));
            results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[index] = Some(result);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let mut builder = std::thread::Builder::new().name(workers.name.to_owned());
            if workers.stack > 0 {
                builder = builder.stack_size(workers.stack);
            }
            // A thread that cannot start leaves its share to the others; with none, the items
            // come back untaken.
            let _ = builder.spawn_scoped(scope, run);
        }
    });
    results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order_for_any_thread_count() {
        let items: Vec<u64> = (0..500).collect();
        for threads in [1, 2, 3, 8] {
            let workers = Workers { threads, stack: 0, name: "test" };
            let squares = map(&items, workers, |n| n * n);
            assert_eq!(squares, items.iter().map(|n| Some(n * n)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_panicking_item_gives_none_and_the_others_go_on() {
        let items = [1, 2, 3, 4];
        for threads in [1, 2] {
            let workers = Workers { threads, stack: 1 << 20, name: "test" };
            let halves = map(&items, workers, |&n| {
                assert!(n != 3, "deliberate");
                n / 2
            });
            assert_eq!(halves, [Some(0), Some(1), None, Some(2)]);
        }
    }

    #[test]
    fn map_all_panics_again_with_the_first_panic_in_item_order() {
        let items = [1, 2, 3, 4];
        for threads in [1, 2] {
            let workers = Workers { threads, stack: 1 << 20, name: "test" };
            let panic = std::panic::catch_unwind(|| {
                map_all(&items, workers, |&n| {
                    assert!(n < 2, "deliberate at {n}");
                    n
                })
            })
            .expect_err("the work panicked");
            assert_eq!(panic.downcast_ref::<String>().map(String::as_str), Some("deliberate at 2"));
            let workers = Workers { threads, stack: 0, name: "test" };
            assert_eq!(map_all(&items, workers, |&n| n * 10), [10, 20, 30, 40]);
        }
    }
}
