package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Headless Chromium logs in through the gateway and the dev OP's login page and sees the upstream. */
@Tag("browser")
class BrowserLoginTest {
  private GatewayHarness h;
  private WebDriver driver;

  @AfterEach
  void tearDown() {
    if (driver != null) driver.quit();
    if (h != null) h.close();
  }

  @Test
  void aPersonLogsInOnTheOpPageAndSeesTheirIdentityUpstream() {
    Path chromium = Path.of("/usr/bin/chromium");
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    Assumptions.assumeTrue(Files.isExecutable(chromium) && Files.isExecutable(chromedriver),
        "needs Debian chromium and chromium-driver");
    h = new GatewayHarness().start();
    h.op.setAutoLogin(false);
    ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
    driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).build(), options);
    driver.get(h.publicUrl + "/welcome?from=browser");
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    wait.until(d -> d.getCurrentUrl().startsWith(h.op.issuer()));
    driver.findElement(By.cssSelector("#users button[value='alice']")).click();
    wait.until(d -> d.getCurrentUrl().startsWith(h.publicUrl + "/welcome"));
    String page = driver.findElement(By.tagName("body")).getText();
    assertThat(driver.getCurrentUrl()).isEqualTo(h.publicUrl + "/welcome?from=browser");
    assertThat(page).contains("\"X-Forwarded-User\":\"alice\"").contains("alice@example.test");
    driver.get(h.publicUrl + "/oauth2/session?format=html");
    assertThat(driver.findElement(By.tagName("body")).getText()).contains("Signed in as alice");
  }
}
