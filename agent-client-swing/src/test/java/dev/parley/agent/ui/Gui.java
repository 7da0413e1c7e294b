package dev.parley.agent.ui;

import dev.parley.agent.testing.Await;
import java.awt.Component;
import java.awt.Container;
import java.awt.Window;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.SwingUtilities;

/** Finds components by name in showing windows and reads or drives them on the EDT, as a person would. */
final class Gui {

  private Gui() {}

  static <T> T onEdt(Callable<T> task) {
    if (SwingUtilities.isEventDispatchThread()) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try {
      SwingUtilities.invokeAndWait(() -> {
        try {
          result.set(task.call());
        } catch (Exception e) {
          failure.set(e);
        }
      });
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    return result.get();
  }

  static void run(Runnable task) {
    onEdt(() -> {
      task.run();
      return null;
    });
  }

  /** Waits for a showing component with this name and type. */
  static <T extends Component> T find(String name, Class<T> type) {
    return Await.value("a showing " + type.getSimpleName() + " named " + name, () -> onEdt(() -> {
      for (Window w : Window.getWindows()) {
        if (w.isShowing()) {
          Component found = search(w, name, true);
          if (type.isInstance(found)) {
            return type.cast(found);
          }
        }
      }
      return null;
    }));
  }

  /** Searches inside one component (for example one conversation tab, showing or not). */
  static <T extends Component> T within(Container root, String name, Class<T> type) {
    return onEdt(() -> {
      Component found = search(root, name, false);
      return type.isInstance(found) ? type.cast(found) : null;
    });
  }

  private static Component search(Component c, String name, boolean showingOnly) {
    if (name.equals(c.getName()) && (!showingOnly || c.isShowing())) {
      return c;
    }
    if (c instanceof Container container) {
      // A menu's items live in its popup, outside the component tree until the menu opens.
      Component[] children =
          c instanceof javax.swing.JMenu menu ? menu.getMenuComponents() : container.getComponents();
      for (Component child : children) {
        Component found = search(child, name, showingOnly);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
