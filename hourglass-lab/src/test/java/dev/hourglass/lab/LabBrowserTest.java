package dev.hourglass.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.lab.scenario.BundledScenariosTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The lab as a person uses it, in real headless Chromium: open the lab page, log in as a demo user,
 * advance the clock an hour on the page, see the gateway's refresh on the timeline, log out. Saves
 * the timeline screenshot shown in the README ({@code docs/lab-timeline.png}).
 */
@Tag("browser")
class LabBrowserTest {
  private Vertx vertx;
  private Lab lab;
  private WebDriver browser;

  static WebDriver headlessChromium() {
    Path chromium = Path.of("/usr/bin/chromium");
    Path driver = Path.of("/usr/bin/chromedriver");
    assertThat(chromium).as("Debian chromium (./test installs it: apt-get install chromium)").isExecutable();
    assertThat(driver).as("Debian chromium-driver (./test installs it)").isExecutable();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1000");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build();
    return new ChromeDriver(service, options);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    lab = Lab.start(vertx, ControllableClock.startingNow(), LabOptions.ephemeral(Map.of(), Map.of()), "browser test")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    browser = headlessChromium();
    browser.manage().window().setSize(new Dimension(1400, 1000));
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) browser.quit();
    if (lab != null) lab.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void logInAdvanceAnHourSeeTheRefreshAndLogOut() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    String gw = lab.gatewayUrl().toString();
    browser.get(gw + "/oauth2/lab");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("login-alice"))).click();

    // Back on the lab page through the OP: the session timeline shows alice's tokens.
    wait.until(ExpectedConditions.textToBe(By.id("user"), "alice"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("lane-access")));
    assertThat(browser.findElement(By.id("light")).getAttribute("class")).contains("green");
    assertThat(browser.findElement(By.id("lighttext")).getText()).contains("fresh id_token_hint");

    // +1h on the page: the access token has expired; the app's next request refreshes it.
    browser.findElement(By.id("adv-1h")).click();
    wait.until(ExpectedConditions.textMatches(By.id("offset"), java.util.regex.Pattern.compile("1h")));
    browser.get(gw + "/");
    wait.until(ExpectedConditions.textToBe(By.id("user"), "alice"));
    assertThat(browser.findElement(By.id("identity")).getText()).contains("X-Forwarded-User").contains("alice");
    browser.get(gw + "/oauth2/lab");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "REFRESH_OK"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("next-refresh")));
    assertThat(lab.opEvents().matching(e -> e.type().equals("token_issued") && "refresh_token".equals(e.field("grant_type"))))
        .hasSize(1);

    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Path docs = BundledScenariosTestSupport.repoRoot().resolve("docs");
    Files.createDirectories(docs);
    Files.copy(shot, docs.resolve("lab-timeline.png"), StandardCopyOption.REPLACE_EXISTING);

    // Log out: the gateway session ends and the OP session with it.
    browser.findElement(By.id("logout")).click();
    wait.until(ExpectedConditions.textToBe(By.id("user"), "not logged in"));
    assertThat(lab.opEvents().count("logout")).isEqualTo(1);
    // The OP session is gone too: the app sends the browser to the OP, which asks who you are
    // instead of signing alice straight back in.
    browser.get(gw + "/");
    wait.until(ExpectedConditions.urlContains(lab.opUrl().toString()));
    assertThat(browser.findElements(By.cssSelector("form input[name=username]"))).isNotEmpty();
    assertThat(lab.gatewayEvents().count("LOGIN_OK")).isEqualTo(1);
  }
}
